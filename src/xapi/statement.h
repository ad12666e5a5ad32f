#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

// xAPI 1.0.3 statements (and 2.0.0 where it does not contradict 1.0.3): validation of every
// MUST of the Data section an LRS checks, and what the LRS indexes and maps out of a valid
// statement. Pure functions over JSON text; no store, no HTTP (docs/xapi.md).
namespace cohort::xapi {

inline constexpr std::string_view kVoidedVerb = "http://adlnet.gov/expapi/verbs/voided";
// The cmi5 context extension that names the launch session (cmi5 §9.6.3.1).
inline constexpr std::string_view kCmi5SessionExtension =
    "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
// Cohort's own extensions (docs/xapi.md): a context extension naming the attempt, and a result
// extension counting the hints used.
inline constexpr std::string_view kAttemptExtension = "urn:cohort:xapi:extension:attempt";
inline constexpr std::string_view kHintsExtension = "urn:cohort:xapi:extension:hints";

// What the LRS reads out of one valid statement.
//
// An agent or identified group is named by its key: its Inverse Functional Identifier as one
// string, "mbox:mailto:x@example.org" (the "mailto:" scheme lower-cased), "mbox_sha1sum:<40
// lower-case hex>", "openid:<uri>", "account:<homePage> <name>" (a space: an IRI holds none).
struct Statement {
  std::string id;  // lower-case 8-4-4-4-12 UUID; empty when the statement carries none
  std::string actor;        // the actor's key; empty for an anonymous group
  std::string verb;         // the verb's id (IRI)
  std::string object_type;  // "Activity", "Agent", "Group", "StatementRef" or "SubStatement"
  // The activity's id (Activity), the target statement's lower-case id (StatementRef), the
  // agent's or identified group's key (Agent, Group); empty for a SubStatement or an anonymous
  // group.
  std::string object_id;
  std::optional<std::string> registration;  // context.registration, lower-case UUID
  std::optional<Instant> timestamp;         // as given (to the millisecond), else none
  std::optional<std::string> version;       // as given, else none (the LRS stores "1.0.0")

  // The keys GET /statements?agent= matches (xAPI 1.0.3 §2.1.3 "agent"): the actor, an agent or
  // group object, and the members of either when it is a group. Deduplicated, sorted.
  std::vector<std::string> agents;
  // The keys related_agents=true matches: `agents`, plus context.instructor and context.team
  // (and their members), plus the same of a SubStatement object. (The authority is the LRS's
  // to add.) Deduplicated, sorted.
  std::vector<std::string> related_agents;
  // The ids related_activities=true matches: the object activity, every context activity
  // (parent, grouping, category, other), and the same of a SubStatement object. The plain
  // `activity` filter matches `object_id` when `object_type` is "Activity". Deduplicated, sorted.
  std::vector<std::string> related_activities;

  // What the statement→attempt mapping reads (docs/xapi.md).
  struct Outcome {
    std::optional<bool> success;           // result.success
    std::optional<double> scaled;          // result.score.scaled
    std::optional<double> raw;             // result.score.raw
    std::optional<std::int64_t> duration_ms;  // result.duration, rounded down to the ms
    std::optional<std::int64_t> hints;     // result.extensions[kHintsExtension], an integer ≥ 0
  };
  std::optional<Outcome> result;           // none when the statement has no `result`
  std::vector<std::string> parents;        // context.contextActivities.parent ids, in order
  std::vector<std::string> groupings;      // context.contextActivities.grouping ids, in order
  // context.extensions[kAttemptExtension] when a string, else [kCmi5SessionExtension] when a
  // string, else none.
  std::optional<std::string> session;

  // The statement as sent, re-serialised compactly (members in the order sent): what
  // StoredForm completes.
  std::string body;
};

// Parses and validates a statement or an array of statements (POST /statements): the body must
// be one JSON object or an array of objects. kMalformed (the LRS answers 400) naming every
// problem found, each with its JSON pointer in the body ("/2/actor/mbox") and the rule broken
// ("mbox must be a mailto: IRI (xAPI 1.0.3 §2.4.2.3)"); nothing is returned then.
Result<std::vector<Statement>> ParseStatements(std::string_view body);

// The same for a body that must be exactly one statement object (PUT /statements).
Result<Statement> ParseStatement(std::string_view body);

// The statement as the LRS stores and returns it (xAPI 1.0.3 §2.4.8–§2.4.10): `body` with
// "id" set to `id`, "stored" to `stored`, "authority" to `authority_json` (replacing any sent),
// "timestamp" set to `stored` when the statement had none, and "version" "1.0.0" when it had
// none. Timestamps are written as RFC 3339 UTC with milliseconds.
std::string StoredForm(const Statement& statement, std::string_view id, Instant stored,
                       std::string_view authority_json);

// Whether two stored forms describe the same statement for idempotency (xAPI 1.0.3 §2.3
// "Statement Comparison Requirements"): ignoring member order, whitespace, "authority",
// "stored", "version", the case of UUIDs and of language tags, and how the same instant is
// written in "timestamp".
bool SameStatement(std::string_view a, std::string_view b);

// format=ids (xAPI 1.0.3 §2.1.3): a stored form with every Agent, Group (identified: only its
// IFI; anonymous: its members as ids), Activity (only "objectType" and "id") and Verb (only
// "id") reduced to what identifies it.
std::string IdsFormat(std::string_view stored);

// format=canonical: every language map (verb display, activity name and description,
// interaction components' descriptions) reduced to the one entry that best matches
// `accept_language` (an Accept-Language header, RFC 4647 lookup; the first entry when none
// matches).
std::string CanonicalFormat(std::string_view stored, std::string_view accept_language);

// The key of an Agent or Group given as JSON (the `agent` query parameter). kMalformed naming the
// problem when it is not a valid Agent or identified Group.
Result<std::string> AgentKey(std::string_view agent_json);

// Whether `text` is a UUID (8-4-4-4-12 hex, any case); LowerUuid lower-cases one.
bool IsUuid(std::string_view text);
std::string LowerUuid(std::string_view uuid);

}  // namespace cohort::xapi
