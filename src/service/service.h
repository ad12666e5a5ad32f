#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/dedicated_thread.h"
#include "common/ids.h"
#include "common/metric_registry.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "domain/account.h"
#include "domain/token.h"
#include "domain/user.h"
#include "domain/write_batch.h"
#include "metrics/engine.h"
#include "service/sign_in_throttle.h"

namespace cohort::store {
class Store;
struct AccountRecord;
}  // namespace cohort::store

namespace cohort::service {

class StoredAttempts;

// A person signed in with a session (SPEC §5): who they are and what their roles let them see.
struct Person {
  UserId user_id;
  std::string user_key;
  domain::RoleSet roles;
  // Sorted keys of the groups they manage (group managers; empty otherwise).
  std::vector<std::string> managed_groups;
  // Sorted keys of the members of those groups.
  std::vector<std::string> managed_members;
  // Sorted keys of the users whose figures they may see, when that is not everyone: the members
  // of the groups they manage, plus themselves when they are a learner. Meaningless when
  // SeesEveryone().
  std::vector<std::string> visible_users;
  SessionId session_id;
  std::string csrf_token;

  // Account managers and executives see every view of the account.
  bool SeesEveryone() const {
    return roles.Has(domain::Role::kAccountManager) || roles.Has(domain::Role::kExecutive);
  }
  // Group managers see the course-wide views (course, leagues, report), restricted.
  bool SeesCourseViews() const { return SeesEveryone() || roles.Has(domain::Role::kGroupManager); }
  bool MaySee(std::string_view user) const;
  // Awards: account managers for anyone, group managers for their groups' members.
  bool MayAward(std::string_view user) const;
};

// Whose figures a caller's views show (issue 20: the line on every page): the account, a group
// manager's groups (and how many distinct members they have), or only themselves.
struct CallerScope {
  enum class Kind { kAccount, kGroups, kSelf };
  Kind kind = Kind::kAccount;
  std::vector<metrics::GroupName> groups;  // kGroups: the managed groups, by key
  std::int64_t members = 0;                // kGroups: distinct members; kSelf: 1
};

// Who is calling, once their credential is checked: the account they act in and what they may
// do there. The account always comes from the credential, never from the request.
struct Caller {
  AccountId account;
  std::string account_key;
  // A token's scopes; for a person, those of their roles: account manager admin, anyone else
  // read (what they read is then scoped by `person`).
  domain::ScopeSet scopes;
  // Both with initializers, so that Caller{account, key, scopes} still compiles warning-free.
  std::optional<Person> person = std::nullopt;  // a signed-in person; nullopt: a token, the CLI
  TokenId token_id{};                           // the API token used; none (0) otherwise
};

// What a sign-in gives: the caller it opens, and the session secret for the cookie (shown only
// here, stored as a digest).
struct SignedIn {
  Caller caller;
  std::string session_secret;
};

// An API token as listed (never its secret or digest).
struct TokenInfo {
  TokenId id;
  std::string name;
  domain::ScopeSet scopes;
  Instant created_at;
  std::optional<Instant> revoked_at;
  std::optional<Instant> last_used_at;  // to the minute
};

// An award to grant (SPEC §9): the user, optionally a course, a title and a note.
struct NewAward {
  std::string user;
  std::optional<std::string> course;
  std::string title, note;
};

// GET /xapi/statements's filters (xAPI 1.0.3 §2.1.3) as the LRS received them; every one
// optional. `agent` is the Agent or Group JSON of the request.
struct StatementFilter {
  std::optional<std::string> agent, verb, activity, registration;
  bool related_agents = false, related_activities = false;
  std::optional<Instant> since, until;
  std::size_t limit = 0;  // 0: the LRS's page size
  bool ascending = false;
  std::string format = "exact";  // "ids", "exact" or "canonical"
  std::string accept_language;   // for "canonical"
  std::optional<std::int64_t> after_seq;  // a `more` link's position
};

// One page of statements: the JSON array of their stored forms (in `format`) and, when more
// match, the position the `more` link continues after.
struct StatementPage {
  std::string statements;
  std::optional<std::int64_t> more_after;
};

// How many of a request's statements counted as answers (became responses), and how many were
// only stored, by reason (docs/xapi.md).
struct StatementsStored {
  std::vector<std::string> ids;  // in request order
  std::size_t counted = 0;
};

// The xAPI document resources (xAPI 1.0.3 Communication §2.3, §2.6, §2.7; implemented in
// xapi_documents.cc).
enum class DocumentResource { kState, kAgentProfile, kActivityProfile };

// Which document(s) a request names, as the LRS received it: `activity` (activityId) for state
// and activity profile documents, `agent` (the Agent JSON) for state and agent profile ones,
// `registration` for state (optional), `id` the stateId or profileId ("" for every id: a list,
// or a delete of all the state documents).
struct DocumentRef {
  DocumentResource resource = DocumentResource::kState;
  std::string activity, agent;
  std::optional<std::string> registration;
  std::string id;
};

// A stored document: its bytes and Content-Type as sent, its ETag (unquoted) and when it was
// last stored.
struct Document {
  std::string content_type, body, etag;
  Instant updated;
};

// The concurrency headers of a write (xAPI 1.0.3 Communication §3.1): If-Match's ETags
// (unquoted; "*" for any), and whether If-None-Match was "*".
struct DocumentPreconditions {
  std::optional<std::vector<std::string>> if_match;
  bool if_none_match_any = false;
};

// Merges a POSTed JSON object into the stored one (xAPI 1.0.3 Communication §2.2): the merged
// document, or kMalformed when either is not a JSON object. The http layer provides it, where
// JSON is parsed (STYLE.md §2).
using DocumentMerge = std::function<Result<std::string>(std::string_view stored,
                                                        std::string_view sent)>;

// The reason of the ErrorDetail a kConflict carries when a precondition failed: the LRS answers
// 412 rather than 409 (xAPI 1.0.3 Communication §3.1).
inline constexpr std::string_view kPreconditionFailed = "precondition_failed";

// A new API token: the secret is returned only here and never stored.
struct NewToken {
  TokenId id;
  std::string secret;
};

// The use cases of ingest, administration and reading: the only code that combines the store
// with the metrics engine, which it owns with the engine's one way into the stored attempts.
//
// The engine holds an account once the service serves views: after Rebuild (cohort serve, cohort
// check), or from the first view asked (cohort export); until then writes go to the store only
// (cohort import, demo, user create). Each committed write is applied to the engine after the
// commit; a write the engine cannot apply (a replay whose store read failed) answers kUnavailable
// and the account is loaded again from the store before its next read or write.
//
// Thread-safe: writes queue for one committer (group commit); views read the engine under its
// shared lock.
class Service {
 public:
  Service(store::Store& store, const Clock& clock);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Creates an account. kInvalid for a bad key, empty name or unknown time zone; kConflict when
  // the key is taken.
  Result<AccountId> CreateAccount(const domain::Account& account);

  // Creates an API token for an account; `scopes` must not be empty. kNotFound for an unknown
  // account.
  Result<NewToken> CreateToken(std::string_view account_key, std::string_view name,
                               domain::ScopeSet scopes);

  // Checks a bearer token. kUnauthenticated when it is unknown or revoked.
  Result<Caller> Authenticate(std::string_view bearer_token);

  // A Caller acting for an account with every scope (the CLI: whoever holds the database file).
  Result<Caller> LocalAdmin(std::string_view account_key);

  // Applies one request's writes atomically. Hashes any clear password first (argon2id) —
  // setting a password needs the admin scope. Requires the ingest scope (kForbidden otherwise).
  Result<domain::WriteSummary> Write(const Caller& caller, domain::WriteBatch batch);

  // DELETE /api/v1/users/{user}: deactivate, or erase every trace. kNotFound for an unknown user.
  Status RemoveUser(const Caller& caller, std::string_view user_key, bool erase);
  // DELETE /api/v1/enrollments/{user}/{course}. kNotFound when there is no such enrollment.
  Status RemoveEnrollment(const Caller& caller, std::string_view user_key,
                          std::string_view course_key);

  // --- people signing in (SPEC §5, §9); implemented in auth.cc ---
  // Signs in with email and password. `account` picks the account when the email exists in
  // several (needed only when the password matches in more than one of them: kInvalid then).
  // kUnauthenticated for an unknown email, a wrong password, an inactive user or one without a
  // password — the same answer in about the same time. kTooManyRequests when failures from this
  // email or `client_address` went over the limits (see SignInRetryAfterSeconds).
  Result<SignedIn> SignIn(std::string_view email, std::string_view password,
                          const std::optional<std::string>& account,
                          std::string_view client_address);
  // How long a throttled sign-in must wait, in whole seconds (0: it may go ahead); the
  // throttle (sign_in_throttle.h) counts failures per (email, address), per address, and per
  // email from addresses it has not signed in from.
  std::int64_t SignInRetryAfterSeconds(std::string_view email, std::string_view client_address);
  // The same for the signed-in caller's own email (a throttled ChangePassword).
  std::int64_t PasswordRetryAfterSeconds(const Caller& caller, std::string_view client_address);
  // Checks a session cookie's secret: kUnauthenticated when unknown, expired (idle or absolute,
  // see kSessionIdleMs and kSessionMaxAgeMs) or its user is inactive. Refreshes its last use.
  Result<Caller> AuthenticateSession(std::string_view secret);
  // The signed-in person's name (GET /api/v1/session shows it in the top bar): one store read.
  // kNotFound when the caller is no person or their user is gone.
  Result<std::string> PersonName(const Caller& caller);
  // Ends the caller's session (the caller must be a signed-in person).
  Status SignOut(const Caller& caller);
  // Changes the signed-in caller's password and ends their other sessions. kInvalid (pointer
  // /current_password) when `current_password` is wrong, (/new_password) when the new one is
  // not 8-1024 bytes; kTooManyRequests like SignIn.
  Status ChangePassword(const Caller& caller, std::string_view current_password,
                        std::string_view new_password, std::string_view client_address);

  // --- API tokens and awards (SPEC §9); implemented in admin.cc ---
  // Token administration needs an account manager or the admin scope.
  Result<std::vector<TokenInfo>> ListTokens(const Caller& caller);
  Result<NewToken> CreateToken(const Caller& caller, std::string_view name,
                               domain::ScopeSet scopes);
  // kNotFound for a token id the account does not have. Revoked at once.
  Status RevokeToken(const Caller& caller, TokenId token_id);
  // Awards: account managers (and admin tokens) for anyone, group managers for members of the
  // groups they manage. A user or course the caller may not see is kInvalid exactly as an
  // unknown one.
  Result<AwardId> GrantAward(const Caller& caller, const NewAward& award);
  Status RevokeAward(const Caller& caller, AwardId award_id);

  // Loads every account from the store into the engine (on start, before serving views).
  // `progress(done, total)` reports accounts × stages. Errors: the store's.
  Status Rebuild(const std::function<void(std::size_t, std::size_t)>& progress)
      EXCLUDES(write_mutex_);
  // The engine's sizes, for logs and /metrics.
  metrics::Engine::Size EngineSize() const;

  // The views of SPEC §4.1 for the caller's account; the `read` scope is required (kForbidden),
  // unknown keys are kNotFound, a bad sort column is kInvalid.
  Result<metrics::Table<metrics::AllCoursesRow>> AllCourses(const Caller& caller);
  // The same searched, ordered and paged by `query` (its sort defaults to "title"); with
  // `query.weekly`, each row with its course's weekly series.
  Result<metrics::Table<metrics::AllCoursesRow>> AllCourses(const Caller& caller,
                                                            const metrics::TableQuery& query);
  Result<metrics::CourseView> CourseDetail(const Caller& caller, std::string_view course);
  Result<metrics::Table<metrics::LeagueRow>> UserLeague(const Caller& caller,
                                                        std::string_view course,
                                                        const metrics::TableQuery& query);
  Result<metrics::Table<metrics::GroupRow>> GroupLeague(const Caller& caller,
                                                        std::string_view course,
                                                        const metrics::TableQuery& query);
  // A group's own page in a course: the course view over its members. A group manager sees
  // only the groups they manage (others answer as unknown ones, kNotFound).
  Result<metrics::GroupCourseView> GroupInCourse(const Caller& caller, std::string_view course,
                                                 std::string_view group);
  Result<metrics::UserCourseView> UserInCourse(const Caller& caller, std::string_view course,
                                               std::string_view user);
  // One person across their courses, with their awards. Someone the caller may not see answers
  // as an unknown user (kNotFound).
  Result<metrics::PersonView> PersonOverview(const Caller& caller, std::string_view user);
  // The dashboard (issue 20): `weeks` weeks ending with the current one, or from the week of
  // local day `from_day` to that of `to_day` (either defaulting as with `weeks`); scoped like
  // All courses. kInvalid (naming `from`) when from is after to, or (naming `weeks`) for more
  // than kMaxActivityWeeks weeks.
  static constexpr std::int64_t kMaxActivityWeeks = 520;
  Result<metrics::ActivityView> Activity(const Caller& caller, std::optional<std::int64_t> from_day,
                                         std::optional<std::int64_t> to_day, std::int64_t weeks);
  // Whose figures the caller's views show.
  Result<CallerScope> Scope(const Caller& caller);
  // The groups the caller may see (all of the account's, or those they manage), with members.
  Result<std::vector<metrics::GroupListing>> Groups(const Caller& caller);
  // When the caller's account's figures last changed (nullopt: not since the engine started).
  std::optional<Instant> AsOf(const Caller& caller);
  Result<std::vector<metrics::HistoryRow>> History(const Caller& caller, std::string_view course,
                                                   std::string_view user,
                                                   std::string_view exercise);
  Result<metrics::Table<metrics::ReportRow>> Report(const Caller& caller,
                                                    const metrics::TableQuery& query);
  // The report in pages for streamed exports (metrics::Engine::PlanReport, ReportRows): the same
  // scope and errors as Report, and kInvalid for a sort the plan cannot follow (use Report).
  Result<metrics::ReportPlan> PlanReport(const Caller& caller, const metrics::TableQuery& query);
  Result<std::vector<std::optional<metrics::ReportRow>>> ReportRows(
      const Caller& caller, const metrics::ReportPlan& plan, std::size_t first,
      std::size_t count);
  // The caller's account time zone, for rendering.
  Result<TimeZone> Zone(const Caller& caller);

  // --- xAPI, the Learning Record Store of /xapi/ (docs/xapi.md); implemented in xapi.cc ---
  // Stores a statement or a batch (POST /xapi/statements; with `put_id`, PUT ?statementId=):
  // validated whole (kMalformed naming every problem: nothing stored), ids assigned where
  // missing; a statement whose id is stored with the same content is a no-op, with other
  // content kConflict naming the id. Statements that describe answers to exercises become
  // responses of derived attempts, in the same transaction. Needs the ingest scope.
  Result<StatementsStored> PostStatements(const Caller& caller, std::string_view body,
                                          std::optional<std::string_view> put_id);
  // GET ?statementId= (voided false) or ?voidedStatementId= (voided true): the stored form in
  // `format`; kNotFound when absent or, respectively, voided / not voided. Needs read.
  Result<std::string> GetStatement(const Caller& caller, std::string_view id, bool voided,
                                   std::string_view format, std::string_view accept_language);
  // GET with filters: one page, newest first unless ascending. kMalformed for a bad `agent`.
  Result<StatementPage> QueryStatements(const Caller& caller, const StatementFilter& filter);
  // Makes the stored statements count that wait for a user or exercise that now exists: those
  // whose actor hint is one of `actor_hints` ("key:<user>", "email:<folded email>") or that name
  // one of `activities` (exercise IRIs). Write calls it after a write of users or courses.
  Status RemapStatements(const Caller& caller, const std::vector<std::string>& actor_hints,
                         const std::vector<std::string>& activities);
  // The largest page GET /xapi/statements answers.
  static constexpr std::size_t kStatementPageLimit = 500;

  // --- xAPI documents: State, Agent Profile, Activity Profile (xapi_documents.cc) ---
  // Reads need the read scope, writes ingest. kMalformed for an invalid `agent`; kUnavailable
  // (store::kNoStatementsHere) where the store keeps no statements (PostgreSQL).
  // The document `ref` names (ref.id not empty); kNotFound when there is none.
  Result<Document> GetDocument(const Caller& caller, const DocumentRef& ref);
  // The ids of the documents under ref (ref.id ignored), stored after `since` when given.
  Result<std::vector<std::string>> DocumentIds(const Caller& caller, const DocumentRef& ref,
                                               std::optional<Instant> since);
  // PUT (merge null) or POST (`merge` combines a stored JSON document with the one sent; when
  // nothing is stored, POST stores as PUT does). Preconditions: an If-Match that names another
  // ETag, or If-None-Match: * where a document exists, is kConflict with kPreconditionFailed;
  // a PUT to an existing profile document without either header is kConflict (§3.1). A POST
  // where either document is not application/json is kMalformed.
  Status PutDocument(const Caller& caller, const DocumentRef& ref, std::string_view content_type,
                     std::string_view body, const DocumentPreconditions& preconditions,
                     const DocumentMerge* merge);
  // Deletes the document ref names, or with ref.id empty every state document under its
  // activity, agent and registration. If-Match as PutDocument.
  Status DeleteDocuments(const Caller& caller, const DocumentRef& ref,
                         const DocumentPreconditions& preconditions);
  // Checks that the caller may read and that `agent_json` is a valid Agent (GET /xapi/agents).
  Status CheckAgent(const Caller& caller, std::string_view agent_json);

  // Observes each store write's time in cohort_store_write_duration_seconds. Call before the
  // service is shared between threads.
  void SetMetrics(MetricRegistry& registry);

  // Write calls waiting for their answer (queued, or in the group being committed): for tests.
  std::size_t PendingWrites();

  // --- several processes over one database (issue 17; follow.cc, docs/deployment.md) ---
  // When the store keeps a change log (store::Store::KeepsChangeLog: PostgreSQL), other
  // processes may commit while this one serves. Each account's engine state is then at a
  // change seq, which only grows: a write committed here is applied at once when it is the
  // next change (its answer waits for that), and what other processes commit is followed from
  // the log by a thread that polls it every `interval`: attempts by the rows a change names,
  // anything else (catalog, people, enrollments, removals) by reloading the account from one
  // snapshot. Call after Rebuild; a no-op when the store keeps no log. Stopped by
  // StopFollowing or the destructor.
  void StartFollowing(std::chrono::milliseconds interval);
  void StopFollowing();
  bool KeepsChangeLog() const;
  // The change seq the engine holds the caller's account at (0 without a change log).
  std::int64_t AppliedSeq(const Caller& caller) const;
  // Waits until the engine holds the caller's account at seq `seq` or later (a write's
  // Cohort-Seq), at most `timeout`: OK, or kUnavailable naming both seqs.
  Status WaitForSeq(const Caller& caller, std::int64_t seq, std::chrono::milliseconds timeout);
  // How far behind the store the engine may be: the time since the start of the last poll
  // after which every change it saw was applied; nullopt before the first (or without a
  // following thread).
  std::optional<double> FollowLagSeconds() const;

  const Clock& clock() const { return clock_; }

 private:
  // Checks the read scope and that the engine holds the caller's account, loading it from the
  // store when it does not (first use, or after a failed apply). Errors: kForbidden/kNotFound
  // (scope), the store's (kUnavailable).
  Status CheckRead(const Caller& caller) EXCLUDES(write_mutex_);
  // The answer to a caller without `scope`: 403 naming the scope for a token, and for a person
  // the 404 of an unknown resource (SPEC §5: never reveal what exists).
  static Status Denied(const Caller& caller, std::string_view scope);
  // Loads one account from the store into the engine, replacing what it held; on an error
  // the engine holds nothing of it.
  Status RebuildAccount(const store::AccountRecord& account) REQUIRES(write_mutex_);
  Status RebuildAccountOnce(const store::AccountRecord& account) REQUIRES(write_mutex_);
  // Loads the account into the engine unless it holds it already.
  Status EnsureLoaded(AccountId id, std::string_view account_key) REQUIRES(write_mutex_);
  // Applies the account's logged changes after its applied seq, through `through` (or every
  // one logged when nullopt). Errors: the store's; the engine then holds nothing of the
  // account (loaded again on its next use).
  Status CatchUp(AccountId id, std::string_view account_key, std::optional<std::int64_t> through)
      REQUIRES(write_mutex_);
  // One poll of the following thread: every account's seq, and CatchUp where behind.
  Status FollowOnce() EXCLUDES(write_mutex_);
  void FollowLoop(std::chrono::milliseconds interval);
  std::int64_t Applied(std::string_view account_key) const;
  void SetApplied(std::string_view account_key, std::optional<std::int64_t> seq);

  // Write's group commit (after Write's checks).
  Result<domain::WriteSummary> Commit(const Caller& caller, domain::WriteBatch batch);
  // A caller's batch waiting in Write's group commit, on the caller's stack.
  struct PendingWrite {
    const Caller* caller = nullptr;
    domain::WriteBatch batch;
    std::optional<Result<domain::WriteSummary>> answer;  // set under queue_mu_ when done
  };
  // Takes the next group from queue_: at least one batch, then more while the group stays
  // within kGroupBatches and kGroupAttempts.
  std::vector<PendingWrite*> TakeGroup() REQUIRES(queue_mu_);
  // Stores a group in one transaction (Store::ApplyGroup), then applies each committed batch
  // to the engine in order. Returns one answer per batch.
  std::vector<Result<domain::WriteSummary>> CommitGroup(const std::vector<PendingWrite*>& group)
      EXCLUDES(write_mutex_);
  // Applies a committed group to the engine. Batches of an account the engine could not update
  // get kUnavailable in `answers`.
  void ApplyToEngine(const std::vector<PendingWrite*>& group, const std::vector<std::size_t>& slots,
                     std::vector<Result<domain::WriteSummary>>& answers, Instant now)
      REQUIRES(write_mutex_);

  // After an engine Apply of a batch with replaced attempts (xAPI): replays each replaced
  // attempt's user × course from the store.
  Status ReplayReplaced(AccountId id, const std::string& account, const domain::WriteBatch& batch)
      REQUIRES(write_mutex_);

  store::Store& store_;
  const Clock& clock_;
  // cohort_xapi_statements_total{outcome}, when SetMetrics gave a registry.
  void CountStatement(const std::string& outcome);
  MetricRegistry* registry_ = nullptr;
  // Serialises xAPI statement writes from derivation to commit: a derived attempt is rebuilt
  // from the statements stored before it, which no other statement write may change meanwhile.
  std::mutex statements_mu_;
  // Serialises document writes from their precondition check to their commit (one process
  // owns a SQLite store), so that an If-Match holds against the document it replaces.
  std::mutex documents_mu_;
  std::unique_ptr<StoredAttempts> stored_attempts_;  // the engine's way into the store
  std::unique_ptr<metrics::Engine> engine_;          // thread-safe itself
  DedicatedThread engine_thread_;  // runs the writes' engine applies (CommitGroup)
  // Once true, the engine holds every account it is asked about (Rebuild, or a first view):
  // writes then load an account the engine lacks before applying to it.
  std::atomic<bool> serving_ = false;
  Histogram* store_write_seconds_ = nullptr;
  Counter* store_unavailable_ = nullptr;  // writes refused because the store could not write
  Counter* engine_reloads_ = nullptr;     // accounts loaded again after a failed apply
  // Orders commits and engine applies (the engine sees commit order) and account loads.
  Mutex write_mutex_;
  // Group commit (Write): batches queue here while a leader commits; the next leader takes
  // what has queued into one transaction, so concurrent writers share one fsync.
  static constexpr std::size_t kGroupBatches = 16;
  static constexpr std::size_t kGroupAttempts = 50'000;
  Mutex queue_mu_;
  std::condition_variable queue_changed_;
  std::deque<PendingWrite*> queue_ GUARDED_BY(queue_mu_);
  std::size_t pending_ GUARDED_BY(queue_mu_) = 0;  // Write calls not yet answered
  bool leading_ GUARDED_BY(queue_mu_) = false;     // a leader is committing a group
  // kTooManyRequests while the throttle holds (email, address) back; the throttle's errors.
  Status Throttled(std::string_view folded_email, std::string_view client_address);
  std::unique_ptr<SignInThrottle> throttle_;  // thread-safe itself

  // The change seq each loaded account's engine state is at (change log only). Written under
  // write_mutex_ too, after the engine; read by WaitForSeq.
  mutable std::mutex seq_mu_;
  std::condition_variable seq_changed_;
  std::unordered_map<std::string, std::int64_t> applied_;  // GUARDED_BY(seq_mu_)
  // The following thread (StartFollowing).
  std::thread follower_;
  std::mutex follow_mu_;
  std::condition_variable follow_wake_;
  bool stop_following_ = false;  // GUARDED_BY(follow_mu_)
  bool poll_now_ = false;        // GUARDED_BY(follow_mu_)
  // steady_clock ns of the start of the last poll after which all was applied; -1: none yet.
  std::atomic<std::int64_t> caught_up_at_ns_ = -1;
  Counter* follow_errors_ = nullptr;   // polls that failed (the store could not be read)
  Counter* follow_reloads_ = nullptr;  // accounts reloaded for a change other than attempts
  Counter* follow_applied_ = nullptr;  // changes of other processes applied
};

// Sessions end after this long without a request, and this long after sign-in in any case.
inline constexpr std::int64_t kSessionIdleMs = 12LL * 3600 * 1000;
inline constexpr std::int64_t kSessionMaxAgeMs = 30LL * 24 * 3600 * 1000;
// A session's last use and a token's are recorded to this precision (one write a minute).
inline constexpr std::int64_t kLastUseResolutionMs = 60 * 1000;

// Hashes a password with argon2id (libsodium crypto_pwhash_str, interactive limits).
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches a hash made by HashPassword.
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace cohort::service
