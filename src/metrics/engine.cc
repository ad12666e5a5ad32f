#include "metrics/engine.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>

#include "metrics/engine_state.h"

namespace cohort::metrics {
namespace {

AccountState* FindAccount(Engine::State& s, std::string_view key);

// Resolves a course's catalog into slots, reusing the slots of exercises it already had.
// Returns true when the structure that metrics depend on changed.
bool Restructure(CourseState& c, const domain::Course& course, const TimeZone* zone) {
  std::vector<int> chapter_of(c.slot_keys.size(), -1);
  std::vector<std::vector<int>> chapter_slots;
  std::vector<int> live;
  c.chapter_keys.clear();
  c.chapter_titles.clear();
  c.slot_of_xapi_id.clear();
  for (const domain::ChapterDef& ch : course.chapters) {
    const int chapter = static_cast<int>(chapter_slots.size());
    c.chapter_keys.push_back(ch.key);
    c.chapter_titles.push_back(ch.title);
    chapter_slots.emplace_back();
    for (const domain::ExerciseDef& ex : ch.exercises) {
      auto [it, inserted] = c.slot_of.emplace(ex.key, static_cast<int>(c.slot_keys.size()));
      if (inserted) {
        c.slot_keys.push_back(ex.key);
        c.slot_titles.push_back(ex.title);
        chapter_of.push_back(-1);
      }
      const int slot = it->second;
      if (ex.xapi_id) c.slot_of_xapi_id.emplace(*ex.xapi_id, slot);
      c.slot_titles[static_cast<std::size_t>(slot)] = ex.title;
      chapter_of[static_cast<std::size_t>(slot)] = chapter;
      chapter_slots.back().push_back(slot);
      live.push_back(slot);
    }
  }
  const bool changed = chapter_of != c.shape.chapter_of_slot ||
                       chapter_slots != c.shape.chapter_slots || live != c.shape.live_slots ||
                       !(course.settings == c.shape.settings);
  c.shape.chapter_of_slot = std::move(chapter_of);
  c.shape.chapter_slots = std::move(chapter_slots);
  c.shape.live_slots = std::move(live);
  c.shape.settings = course.settings;
  c.shape.zone = zone;
  return changed;
}

// What enrollment `e` adds to its course's totals (nothing for an inactive user), from its
// summary: the same figures, taken the same way, as a scan of the enrollments would.
// Fills `s`, reusing its vectors' memory (Recount's spare: no allocation per apply).
// The enrollment's weekly activity (issue 20): a week with a counted response makes it active
// there; attempts by their started_at week; the completion and each certification (its own and
// imported ones) in the local week it happened. By week.
void ActivityOf(const CourseState& c, const Enrolled& e, std::vector<WeekActivity>& out) {
  out.clear();
  auto at = [&](std::int64_t week) -> WeekActivity& {
    auto it = std::lower_bound(out.begin(), out.end(), week,
                               [](const WeekActivity& w, std::int64_t k) { return w.week < k; });
    if (it == out.end() || it->week != week) {
      WeekActivity fresh;
      fresh.week = static_cast<std::int32_t>(week);
      it = out.insert(it, fresh);
    }
    return *it;
  };
  e.state->ForEachWeekStep([&](std::int64_t week, double) { at(week).active = 1; });
  for (const auto& [week, attempts] : e.state->attempt_weeks()) at(week).attempts += attempts;
  const TimeZone& zone = *c.shape.zone;
  auto week_of = [&](Instant t) { return WeekOfLocalDay(zone.LocalDay(t)); };
  if (e.summary.completed_ms) ++at(week_of(Instant{*e.summary.completed_ms})).completions;
  for (const Certification& cert : e.state->certifications()) {
    ++at(week_of(cert.issued_at)).certifications;
  }
  for (const Certification& cert : e.imported) ++at(week_of(cert.issued_at)).certifications;
}

// The account's people counts (issue 20's dashboard) follow a share's change: how many people
// have a counted enrollment, and how many had a response in each week, in any course, each once.
void MovePeople(AccountState& a, int user, const Share& old, const Share& next) {
  UserState& u = a.users[static_cast<std::size_t>(user)];
  if (old.counted != next.counted) {
    const std::int32_t before = u.counted_enrollments;
    u.counted_enrollments += (next.counted ? 1 : 0) - (old.counted ? 1 : 0);
    if (before == 0 && u.counted_enrollments > 0) ++a.learners;
    if (before > 0 && u.counted_enrollments == 0) --a.learners;
  }
  auto move = [&](std::int32_t week, int sign) {
    auto it = std::lower_bound(
        u.active_weeks.begin(), u.active_weeks.end(), week,
        [](const std::pair<std::int32_t, std::int32_t>& x, std::int32_t w) { return x.first < w; });
    if (sign > 0) {
      if (it == u.active_weeks.end() || it->first != week) {
        u.active_weeks.insert(it, {week, 1});
        ++a.active_people[week];
      } else {
        ++it->second;
      }
    } else if (it != u.active_weeks.end() && it->first == week && --it->second == 0) {
      u.active_weeks.erase(it);
      auto people = a.active_people.find(week);
      if (people != a.active_people.end() && --people->second == 0) a.active_people.erase(people);
    }
  };
  std::size_t same = 0;  // the weeks both have alike (usually all but the last)
  while (same < old.activity.size() && same < next.activity.size() &&
         old.activity[same].week == next.activity[same].week &&
         old.activity[same].active == next.activity[same].active) {
    ++same;
  }
  for (std::size_t i = same; i < next.activity.size(); ++i) {
    if (next.activity[i].active) move(next.activity[i].week, 1);
  }
  for (std::size_t i = same; i < old.activity.size(); ++i) {
    if (old.activity[i].active) move(old.activity[i].week, -1);
  }
}

// A share's change in the totals of each of the user's groups (`groups`, indexes) in the course.
void MoveGroups(const AccountState& a, CourseState& c, const std::vector<int>& groups, int user,
                const Share& old, const Share& next) {
  if (!old.counted && !next.counted) return;
  for (int g : groups) {
    const auto index = static_cast<std::size_t>(g);
    while (c.group_totals.size() <= index && c.group_totals.size() < a.groups.size()) {
      c.group_totals.emplace_back().Clear(c.shape.chapter_slots.size());
    }
    c.group_totals[index].ReplaceFigures(old, next, user);
  }
}

void MakeShare(const CourseState& c, const Enrolled& e, bool active, Share& s) {
  s.held.clear();
  s.chapters.clear();
  s.chapter_bands.clear();
  s.activity.clear();
  s.first_week.reset();
  s.weekly_in = false;
  s.counted = active;
  s.at_risk_from_ms.reset();
  if (!active) return;
  const UserCourse::Summary& sm = e.summary;
  s.mastery = sm.mastery;
  s.completed = sm.completed_ms.has_value();
  s.score = sm.totals.score();
  s.points = sm.totals.points;
  s.time_ms = sm.totals.time_ms;
  if (!s.completed) {
    s.at_risk_from_ms = (sm.last_active_ms ? *sm.last_active_ms : sm.enrolled_ms) + sm.at_risk_ms;
  }
  // HeldAt(now) is "some certification has issued_at <= now < expires_at": the union of those
  // intervals, merged so that each instant is counted once per user.
  std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> spans;
  auto consider = [&](const Certification& cert) {
    if (cert.expires_at && !(cert.issued_at < *cert.expires_at)) return;  // never held
    std::optional<std::int64_t> until;
    if (cert.expires_at) until = cert.expires_at->ms;
    spans.emplace_back(cert.issued_at.ms, until);
  };
  for (const Certification& cert : e.state->certifications()) consider(cert);
  for (const Certification& cert : e.imported) consider(cert);
  std::sort(spans.begin(), spans.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& span : spans) {
    if (!s.held.empty()) {
      auto& last = s.held.back();
      if (!last.second || span.first <= *last.second) {
        if (last.second && (!span.second || *span.second > *last.second)) last.second = span.second;
        continue;
      }
    }
    s.held.push_back(span);
  }
  const double threshold = c.shape.settings.ResolvedThreshold();
  s.band = BandOf(sm.last_active_ms.has_value(), sm.mastery, threshold);
  s.chapters.reserve(c.shape.chapter_slots.size());
  s.chapter_bands.clear();
  s.chapter_bands.reserve(c.shape.chapter_slots.size());
  for (std::size_t ch = 0; ch < c.shape.chapter_slots.size(); ++ch) {
    const std::size_t n = c.shape.chapter_slots[ch].size();
    s.chapters.push_back(MeanFraction(e.state->ChapterSum(ch), n));
    s.chapter_bands.push_back(BandOf(e.state->ChapterStarted(ch), s.chapters.back(), threshold));
  }
  s.first_week = sm.first_week;
  ActivityOf(c, e, s.activity);
}

// A user's weekly steps (CourseTotals::Steps): they count in the series from the week they
// enrolled, with their mastery at its end.
void WeeklySteps(const UserCourse& uc, std::int64_t enrolled_week, CourseTotals::Steps& out) {
  out.clear();
  out.emplace_back(enrolled_week, 0.0);
  uc.ForEachWeekStep([&](std::int64_t week_day, double at_week_end) {
    if (week_day <= enrolled_week) {
      out.front().second = at_week_end;
    } else {
      out.emplace_back(week_day, at_week_end);
    }
  });
}

// Requires: called before anything changes e's UserCourse steps (Reset, Append), then Recount
// (through Update) after. Keeps the steps its share put in the weekly series.
void BeforeSteps(CourseState& c, const Enrolled& e) {
  if (!e.share.weekly_in) return;
  WeeklySteps(*e.state, e.share.weekly_from, c.steps_before);
  c.steps_before_user = e.user;
}

// Brings `e`'s share of its course's totals up to date (after its summary or its user's active
// flag changed), and marks the course's cached orders stale.
void Recount(AccountState& a, CourseState& c, Enrolled& e) {
  MakeShare(c, e, a.users[static_cast<std::size_t>(e.user)].active, c.spare);
  c.totals.Replace(e.share, c.spare, e.user);
  MoveGroups(a, c, a.users[static_cast<std::size_t>(e.user)].groups, e.user, e.share, c.spare);
  MovePeople(a, e.user, e.share, c.spare);
  // The weekly series: the steps as they were added (kept by BeforeSteps if they changed since)
  // give way to the current ones.
  if (!e.share.weekly_in) {
    c.steps_old.clear();
  } else if (c.steps_before_user == e.user) {
    std::swap(c.steps_old, c.steps_before);
  } else {
    WeeklySteps(*e.state, e.share.weekly_from, c.steps_old);
  }
  c.steps_before_user = -1;
  if (c.spare.counted) {
    WeeklySteps(*e.state, e.summary.enrolled_week, c.steps_new);
    c.spare.weekly_in = true;
    c.spare.weekly_from = e.summary.enrolled_week;
  } else {
    c.steps_new.clear();
  }
  c.totals.ReplaceWeeks(c.steps_old, c.steps_new);
  std::swap(e.share, c.spare);
  ++c.version;
  // No view runs during a write (exclusive lock): the cache's lock is taken only for the
  // compiler's check, and never waits.
  MutexLock cache(c.cache_mutex);
  if (!c.rank_changes_overflow) {
    if (c.rank_changes.size() > 64 + c.enrolled.size() / 4) {
      c.rank_changes_overflow = true;
      c.rank_changes.clear();
    } else {
      c.rank_changes.push_back(static_cast<std::uint32_t>(&e - c.enrolled.data()));
    }
  }
}

// After any change to an enrollment's derived state: its summary, then its share.
void Update(AccountState& a, CourseState& c, Enrolled& e) {
  e.Refresh(c.shape);
  Recount(a, c, e);
}

// Forgets the course's totals and every enrollment's share (the catalog changed: the shares'
// chapters no longer line up); the caller updates each enrollment again.
void ResetTotals(AccountState& a, CourseState& c) {
  c.totals.Clear(c.shape.chapter_slots.size());
  c.group_totals.clear();
  for (Enrolled& e : c.enrolled) {
    MovePeople(a, e.user, e.share, Share{});
    e.share = Share{};
  }
  ++c.version;
}

// Returns the earliest started_at among the loaded attempts (none when there are none).
// Reads a user × course's stored attempts during Apply: the prefetched ones, else from the
// AttemptSource. After a read fails it answers nothing more (empty) and keeps the error: Apply
// then drops the account, so what was built from the empty answers is never read.
class ReplayReader {
 public:
  using Prefetched = Engine::Prefetched;
  ReplayReader(const AttemptSource& source, AccountId account, Prefetched prefetched)
      : source_(source), account_(account), prefetched_(std::move(prefetched)) {}

  std::vector<domain::Attempt> Load(const std::string& user, const std::string& course) {
    if (!failed_.ok()) return {};
    auto it = prefetched_.find({user, course});
    if (it != prefetched_.end()) {
      std::vector<domain::Attempt> attempts = std::move(it->second);
      prefetched_.erase(it);
      return attempts;
    }
    Result<std::vector<domain::Attempt>> loaded = source_.Load(account_, user, course);
    if (!loaded.ok()) {
      failed_ = loaded.status();
      return {};
    }
    return std::move(loaded).value();
  }
  const Status& failed() const { return failed_; }

 private:
  const AttemptSource& source_;
  AccountId account_;
  Prefetched prefetched_;
  Status failed_;
};

std::optional<Instant> ReplayEnrolled(ReplayReader& loader, AccountState& a,
                                      CourseState& c, Enrolled& e) {
  std::vector<domain::Attempt> attempts =
      loader.Load(a.users[static_cast<std::size_t>(e.user)].key, c.key);
  std::vector<const domain::Attempt*> ptrs;
  std::vector<int> slots;
  std::optional<Instant> earliest;
  for (const domain::Attempt& at : attempts) {
    if (!earliest || at.started_at < *earliest) earliest = at.started_at;
    ptrs.push_back(&at);
    auto it = c.slot_of.find(at.exercise);
    slots.push_back(it == c.slot_of.end() ? -1 : it->second);
  }
  BeforeSteps(c, e);
  e.state->Reset(c.slot_keys.size());
  e.state->Append(c.shape, ptrs, slots);
  Update(a, c, e);
  return earliest;
}

Enrolled& Enroll(AccountState& a, CourseState& c, int user, Instant at, bool explicit_date) {
  if (c.enrollment_of_user.size() < a.users.size()) {
    c.enrollment_of_user.resize(a.users.size(), -1);
  }
  if (Enrolled* e = c.Find(user)) return *e;
  c.enrollment_of_user[static_cast<std::size_t>(user)] = static_cast<int>(c.enrolled.size());
  Enrolled e;
  e.user = user;
  e.explicit_date = explicit_date;
  e.state = std::make_unique<UserCourse>(c.slot_keys.size());
  e.state->enrolled_at = at;
  if (auto it = a.imported.find({user, a.course_of.at(c.key)}); it != a.imported.end()) {
    e.imported = it->second;
  }
  c.enrolled.push_back(std::move(e));
  ++c.roster_version;
  Update(a, c, c.enrolled.back());
  return c.enrolled.back();
}

void Unenroll(AccountState& a, CourseState& c, int user) {
  if (user < 0 || static_cast<std::size_t>(user) >= c.enrollment_of_user.size()) return;
  const int pos = c.enrollment_of_user[static_cast<std::size_t>(user)];
  if (pos < 0) return;
  const Enrolled& leaving = c.enrolled[static_cast<std::size_t>(pos)];
  c.totals.Remove(leaving.share, user);
  MoveGroups(a, c, a.users[static_cast<std::size_t>(user)].groups, user, leaving.share, Share{});
  MovePeople(a, user, leaving.share, Share{});
  if (leaving.share.weekly_in) {
    WeeklySteps(*leaving.state, leaving.share.weekly_from, c.steps_old);
    c.totals.ReplaceWeeks(c.steps_old, {});
  }
  ++c.version;
  ++c.roster_version;
  const std::size_t last = c.enrolled.size() - 1;
  if (static_cast<std::size_t>(pos) != last) {
    c.enrolled[static_cast<std::size_t>(pos)] = std::move(c.enrolled[last]);
    c.enrollment_of_user[static_cast<std::size_t>(c.enrolled[static_cast<std::size_t>(pos)].user)] =
        pos;
  }
  c.enrolled.pop_back();
  c.enrollment_of_user[static_cast<std::size_t>(user)] = -1;
}

int UserIndex(AccountState& a, const std::string& key) {
  auto it = a.user_of.find(key);
  if (it != a.user_of.end()) return it->second;
  const int index = static_cast<int>(a.users.size());
  a.users.push_back({key, key, "", true, false, {}, 0, {}});
  a.user_of.emplace(key, index);
  return index;
}

AccountState* FindAccount(Engine::State& s, std::string_view key) {
  auto it = s.accounts.find(std::string(key));
  return it == s.accounts.end() ? nullptr : it->second.get();
}

}  // namespace

Engine::Engine(const AttemptSource& source)
    : state_(std::make_unique<State>()), source_(source) {}

Engine::~Engine() = default;

void Engine::PutAccount(AccountId id, const domain::Account& account) {
  WriterLock lock(mutex_);
  auto& slot = state_->accounts[account.key];
  if (!slot) slot = std::make_unique<AccountState>();
  slot->id = id;
  slot->account = account;
  std::optional<TimeZone> zone = TimeZone::Find(account.timezone);
  if (!slot->zone) {
    slot->zone = std::make_unique<TimeZone>(zone ? *zone : TimeZone::Utc());
  } else {
    *slot->zone = zone ? *zone : TimeZone::Utc();
  }
  // The weekly series are by local week: the cached ones go stale with the zone.
  for (const auto& c : slot->courses) ++c->version;
}

bool Engine::HasAccount(std::string_view account) const {
  ReaderLock lock(mutex_);
  return state_->accounts.count(std::string(account)) > 0;
}

void Engine::DropAccount(std::string_view account) {
  WriterLock lock(mutex_);
  state_->accounts.erase(std::string(account));
}

Result<Engine::Prefetched> Engine::PrefetchReplays(std::string_view account,
                                                   const domain::WriteBatch& batch) const {
  std::vector<std::pair<std::string, std::string>> late;
  AccountId id;
  {
    ReaderLock lock(mutex_);
    const AccountState* a = FindAccount(*state_, account);
    if (a == nullptr) return Prefetched();
    id = a->id;
    std::map<std::pair<int, int>, std::vector<const domain::Attempt*>> groups;
    for (const domain::Attempt& at : batch.attempts.items) {
      auto u = a->user_of.find(at.user);
      auto c = a->course_of.find(at.course);
      if (u == a->user_of.end() || c == a->course_of.end()) continue;
      groups[{c->second, u->second}].push_back(&at);
    }
    for (const auto& [key, attempts] : groups) {
      const CourseState& c = *a->courses[static_cast<std::size_t>(key.first)];
      const Enrolled* e = c.Find(key.second);
      if (e == nullptr) continue;
      std::vector<int> slots;
      for (const domain::Attempt* at : attempts) {
        auto it = c.slot_of.find(at->exercise);
        slots.push_back(it == c.slot_of.end() ? -1 : it->second);
      }
      if (e->state->NeedsReplay(attempts, slots)) {
        late.emplace_back(a->users[static_cast<std::size_t>(key.second)].key, c.key);
      }
    }
  }
  Prefetched loaded;
  for (auto& key : late) {
    Result<std::vector<domain::Attempt>> attempts = source_.Load(id, key.first, key.second);
    if (!attempts.ok()) return attempts.status();
    loaded.emplace(std::move(key), std::move(attempts).value());
  }
  return loaded;
}

namespace {

// The index of `key` in an account's `user_of` or `course_of`; -1 when unknown.
template <typename Map>
int KnownIndex(const Map& index, const std::string& key) {
  auto it = index.find(key);
  return it == index.end() ? -1 : it->second;
}

// A batch's attempts `attempts`, after its catalog, people and enrollments: each (course,
// user)'s appended in the batch's order, or, when one arrives late, replayed from the store,
// which holds the whole batch; `replayed` then holds the pair, and nothing more of the batch is
// appended to it.
void ApplyAttempts(AccountState& account, std::span<const domain::Attempt> attempts,
                   ReplayReader& loader, std::set<std::pair<int, int>>& replayed) {
  AccountState* a = &account;
  auto course_index = [&](const std::string& key) { return KnownIndex(a->course_of, key); };
  auto user_index = [&](const std::string& key) { return KnownIndex(a->user_of, key); };
  // Attempts, grouped by (course, user) in a stable order.
  std::map<std::pair<int, int>, std::vector<const domain::Attempt*>> pairs;
  for (const domain::Attempt& at : attempts) {
    const int u = user_index(at.user), ci = course_index(at.course);
    if (u < 0 || ci < 0) continue;
    pairs[{ci, u}].push_back(&at);
  }
  for (auto& [key, mine] : pairs) {
    CourseState& c = *a->courses[static_cast<std::size_t>(key.first)];
    Instant earliest = mine.front()->started_at;
    for (const domain::Attempt* at : mine) earliest = std::min(earliest, at->started_at);
    const bool existed = c.Find(key.second) != nullptr;
    Enrolled& e = Enroll(*a, c, key.second, earliest, false);
    if (existed && !e.explicit_date && earliest < e.state->enrolled_at) {
      e.state->enrolled_at = earliest;
      Update(*a, c, e);
    }
    if (!existed && a->unenrolled_with_history.erase({key.second, key.first}) > 0) {
      // SPEC §3.8: enrolled_at is the earliest started_at of all the user's attempts in the
      // course, including those stored before the enrollment was removed.
      const std::optional<Instant> first = ReplayEnrolled(loader, *a, c, e);
      if (first && *first < e.state->enrolled_at) e.state->enrolled_at = *first;
      Update(*a, c, e);
      replayed.insert(key);
      continue;
    }
    if (replayed.count(key) > 0) continue;
    std::vector<int> slots;
    for (const domain::Attempt* at : mine) {
      auto it = c.slot_of.find(at->exercise);
      slots.push_back(it == c.slot_of.end() ? -1 : it->second);
    }
    if (e.state->NeedsReplay(mine, slots)) {
      ReplayEnrolled(loader, *a, c, e);
      replayed.insert(key);
    } else {
      BeforeSteps(c, e);
      e.state->Append(c.shape, mine, slots);
    }
    Update(*a, c, e);
  }

}

// Nothing but attempts.
bool AttemptsOnly(const domain::WriteBatch& b) {
  return b.groups.items.empty() && b.courses.items.empty() && b.users.items.empty() &&
         b.enrollments.items.empty() && b.enrollment_removals.items.empty() &&
         b.certifications.items.empty() && b.user_removals.empty();
}

}  // namespace

Status Engine::Apply(std::string_view account, const domain::WriteBatch& batch, Instant now) {
  return Apply(account, batch, now, {});
}

Status Engine::Apply(std::string_view account, const domain::WriteBatch& batch, Instant now,
                     std::span<const std::size_t> parts) {
  // Replays of late attempts read the store: before the exclusive lock, so that the views
  // are not held up by those reads. Apply runs under the service's write mutex, so nothing
  // is stored between the prefetch and the replay; anything not prefetched (a replay the
  // batch's own catalog or enrollment changes cause) is read under the lock as before.
  auto prefetched = PrefetchReplays(account, batch);
  // Parts apply one at a time, the views answering between them, when nothing is replayed:
  // a replay reads the store, which holds every part already.
  const bool by_part = parts.size() > 1 && AttemptsOnly(batch) && prefetched.ok() &&
                       prefetched->empty() && parts.back() == batch.attempts.items.size();
  WriterLock lock(mutex_);
  AccountState* a = FindAccount(*state_, account);
  if (a == nullptr) return Status();
  if (!prefetched.ok()) {
    // The store holds the batch already: the account's state cannot catch up without it.
    state_->accounts.erase(std::string(account));
    return prefetched.status();
  }
  ReplayReader loader(source_, a->id, std::move(prefetched).value());
  a->as_of_ms = std::max(a->as_of_ms, now.ms);
  // (course, user) pairs replayed from the store during this batch. The store committed the
  // batch before this call, so a replay already holds the batch's attempts: appending them again
  // would count them twice (an attempt without responses never triggers NeedsReplay).
  std::set<std::pair<int, int>> replayed;

  for (const domain::Group& g : batch.groups.items) {
    auto [it, inserted] = a->group_of.emplace(g.key, static_cast<int>(a->groups.size()));
    if (inserted) a->groups.push_back({g.key, g.name, {}, {}});
    GroupState& group = a->groups[static_cast<std::size_t>(it->second)];
    group.name = g.name;
    group.managers = g.managers;
  }

  for (const domain::Course& course : batch.courses.items) {
    auto [it, inserted] = a->course_of.emplace(course.key, static_cast<int>(a->courses.size()));
    if (inserted) a->courses.push_back(std::make_unique<CourseState>());
    CourseState& c = *a->courses[static_cast<std::size_t>(it->second)];
    c.key = course.key;
    c.title = course.title;
    if (Restructure(c, course, a->zone.get())) {
      ResetTotals(*a, c);
      for (Enrolled& e : c.enrolled) {
        ReplayEnrolled(loader, *a, c, e);
        replayed.insert({it->second, e.user});
      }
    }
  }

  for (const domain::UserWrite& w : batch.users.items) {
    const int u = UserIndex(*a, w.user.key);
    UserState& user = a->users[static_cast<std::size_t>(u)];
    // The league's cached orders and search text hold names and emails.
    const bool renamed = user.name != w.user.name || user.email != w.user.email;
    const bool reactivated = user.active != w.user.active;
    user.name = w.user.name;
    user.email = w.user.email;
    user.active = w.user.active;
    if (renamed || reactivated) {
      for (const auto& cp : a->courses) {
        Enrolled* e = cp->Find(u);
        if (e == nullptr) continue;
        if (reactivated) Recount(*a, *cp, *e);
        if (renamed) ++cp->roster_version;
        ++cp->version;
      }
    }
    std::vector<int> groups;
    for (const std::string& g : w.user.groups) {
      auto it = a->group_of.find(g);
      if (it != a->group_of.end()) groups.push_back(it->second);
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    if (groups != user.groups) {
      // The user's shares leave their old groups' totals and join the new ones'.
      for (const auto& cp : a->courses) {
        if (const Enrolled* e = cp->Find(u)) {
          MoveGroups(*a, *cp, user.groups, u, e->share, Share{});
          MoveGroups(*a, *cp, groups, u, Share{}, e->share);
        }
      }
      for (int g : user.groups) std::erase(a->groups[static_cast<std::size_t>(g)].members, u);
      for (int g : groups) {
        std::vector<int>& members = a->groups[static_cast<std::size_t>(g)].members;
        members.insert(std::lower_bound(members.begin(), members.end(), u), u);
      }
      user.groups = std::move(groups);
    }
  }

  auto course_index = [&](const std::string& key) { return KnownIndex(a->course_of, key); };
  auto user_index = [&](const std::string& key) { return KnownIndex(a->user_of, key); };
  auto after_enrolling = [&](CourseState& c, int course, Enrolled& e) {
    if (a->unenrolled_with_history.erase({e.user, course}) > 0) {
      ReplayEnrolled(loader, *a, c, e);
      replayed.insert({course, e.user});
    }
  };

  for (const domain::Enrollment& en : batch.enrollments.items) {
    const int u = user_index(en.user), ci = course_index(en.course);
    if (u < 0 || ci < 0) continue;
    CourseState& c = *a->courses[static_cast<std::size_t>(ci)];
    const Instant at = en.enrolled_at.value_or(now);
    Enrolled& e = Enroll(*a, c, u, at, true);
    e.explicit_date = true;
    e.state->enrolled_at = at;
    Update(*a, c, e);
    after_enrolling(c, ci, e);
  }
  for (const domain::Enrollment& en : batch.enrollment_removals.items) {
    const int u = user_index(en.user), ci = course_index(en.course);
    if (u < 0 || ci < 0) continue;
    CourseState& c = *a->courses[static_cast<std::size_t>(ci)];
    // The attempts stay stored: a later enrollment replays them. Not only when LastActive():
    // attempts without responses, or on exercises since removed, leave no last_active.
    if (c.Find(u) != nullptr) a->unenrolled_with_history.insert({u, ci});
    Unenroll(*a, c, u);
  }

  if (!by_part) {
    ApplyAttempts(*a, batch.attempts.items, loader, replayed);
  } else {
    std::size_t from = 0;
    for (std::size_t part = 0; part < parts.size(); ++part) {
      const std::size_t to = std::max(from, std::min(parts[part], batch.attempts.items.size()));
      ApplyAttempts(*a, std::span(batch.attempts.items).subspan(from, to - from), loader,
                    replayed);
      from = to;
      // After a replay (an attempt late only against an earlier part), the rest of the batch
      // is applied under the same lock: the replay read the later parts too.
      if (part + 1 < parts.size() && replayed.empty() && loader.failed().ok()) {
        lock.Yield();
        a = FindAccount(*state_, account);
        if (a == nullptr) return Status();
      }
    }
  }

  for (const domain::ImportedCertification& ic : batch.certifications.items) {
    const int u = user_index(ic.user);
    auto course = a->course_of.find(ic.course);
    if (u < 0 || course == a->course_of.end()) continue;
    std::vector<Certification>& held = a->imported[{u, course->second}];
    const Certification cert{ic.issued_at, ic.expires_at, true};
    if (std::find(held.begin(), held.end(), cert) != held.end()) continue;
    held.push_back(cert);
    std::stable_sort(held.begin(), held.end(), [](const Certification& x, const Certification& y) {
      return x.issued_at < y.issued_at;
    });
    CourseState& c = *a->courses[static_cast<std::size_t>(course->second)];
    if (Enrolled* e = c.Find(u)) {
      e->imported = held;
      Update(*a, c, *e);
    }
  }

  for (const domain::UserRemoval& removal : batch.user_removals) {
    const int u = user_index(removal.user);
    if (u < 0) continue;
    UserState& user = a->users[static_cast<std::size_t>(u)];
    if (!removal.erase) {
      if (user.active) {
        user.active = false;
        for (const auto& cp : a->courses) {
          if (Enrolled* e = cp->Find(u)) Recount(*a, *cp, *e);
        }
      }
      continue;
    }
    for (int ci = 0; ci < static_cast<int>(a->courses.size()); ++ci) {
      Unenroll(*a, *a->courses[static_cast<std::size_t>(ci)], u);
      a->unenrolled_with_history.erase({u, ci});
      a->imported.erase({u, ci});
    }
    a->user_of.erase(user.key);
    for (int g : user.groups) std::erase(a->groups[static_cast<std::size_t>(g)].members, u);
    user = UserState{};
    user.erased = true;
    user.active = false;
  }
  if (!loader.failed().ok()) {
    // A replay read nothing: what it built is wrong, and the store holds the batch already.
    state_->accounts.erase(std::string(account));
    return loader.failed();
  }
  return Status();
}

namespace {

// The account, user index and course of three keys; nullopt when any is unknown.
struct Located {
  AccountState* account;
  int user;
  CourseState* course;
};
std::optional<Located> Locate(Engine::State& s, std::string_view account, std::string_view user,
                              std::string_view course) {
  AccountState* a = FindAccount(s, account);
  if (a == nullptr) return std::nullopt;
  auto u = a->user_of.find(std::string(user));
  auto c = a->course_of.find(std::string(course));
  if (u == a->user_of.end() || c == a->course_of.end()) return std::nullopt;
  return Located{a, u->second, a->courses[static_cast<std::size_t>(c->second)].get()};
}

// Slots of `attempts`' exercises in `c` (-1 for one the course does not have).
std::vector<int> SlotsOf(const CourseState& c,
                         const std::vector<const domain::Attempt*>& attempts) {
  std::vector<int> slots;
  slots.reserve(attempts.size());
  for (const domain::Attempt* at : attempts) {
    auto it = c.slot_of.find(at->exercise);
    slots.push_back(it == c.slot_of.end() ? -1 : it->second);
  }
  return slots;
}

}  // namespace

void Engine::SetEnrollment(std::string_view account, std::string_view user, std::string_view course,
                           Instant enrolled_at, bool explicit_date) {
  WriterLock lock(mutex_);
  std::optional<Located> at = Locate(*state_, account, user, course);
  if (!at) return;
  Enrolled& e = Enroll(*at->account, *at->course, at->user, enrolled_at, explicit_date);
  e.explicit_date = explicit_date;
  e.state->enrolled_at = enrolled_at;
  Update(*at->account, *at->course, e);
}

void Engine::Replay(std::string_view account, std::string_view user, std::string_view course,
                    const std::vector<domain::Attempt>& attempts) {
  WriterLock lock(mutex_);
  std::optional<Located> at = Locate(*state_, account, user, course);
  if (!at) return;
  Enrolled* e = at->course->Find(at->user);
  if (e == nullptr) return;
  std::vector<const domain::Attempt*> ptrs;
  ptrs.reserve(attempts.size());
  for (const domain::Attempt& a : attempts) ptrs.push_back(&a);
  BeforeSteps(*at->course, *e);
  e->state->Reset(at->course->slot_keys.size());
  e->state->Append(at->course->shape, ptrs, SlotsOf(*at->course, ptrs));
  Update(*at->account, *at->course, *e);
}

bool Engine::HasUser(std::string_view account, std::string_view user) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccount(*state_, account);
  if (a == nullptr) return false;
  auto it = a->user_of.find(std::string(user));
  return it != a->user_of.end() && !a->users[static_cast<std::size_t>(it->second)].erased;
}

bool Engine::ListsExercise(std::string_view account, std::string_view course,
                           std::string_view exercise) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccount(*state_, account);
  if (a == nullptr) return false;
  auto c = a->course_of.find(std::string(course));
  if (c == a->course_of.end()) return false;
  const CourseState& cs = *a->courses[static_cast<std::size_t>(c->second)];
  auto slot = cs.slot_of.find(std::string(exercise));
  return slot != cs.slot_of.end() &&
         cs.shape.chapter_of_slot[static_cast<std::size_t>(slot->second)] >= 0;
}

std::optional<std::pair<std::string, std::string>> Engine::ExerciseOfXapiId(
    std::string_view account, std::string_view iri) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccount(*state_, account);
  if (a == nullptr) return std::nullopt;
  std::optional<std::pair<std::string, std::string>> found;
  const std::string key(iri);
  for (const auto& c : a->courses) {
    auto it = c->slot_of_xapi_id.find(key);
    if (it == c->slot_of_xapi_id.end() || (found && found->first <= c->key)) continue;
    found = std::pair{c->key, c->slot_keys[static_cast<std::size_t>(it->second)]};
  }
  return found;
}

Result<TimeZone> Engine::Zone(std::string_view account) const {
  ReaderLock lock(mutex_);
  const AccountState* a = FindAccount(*state_, account);
  if (a == nullptr) return Status::NotFound("no such account");
  return *a->zone;
}

Engine::Size Engine::size() const {
  ReaderLock lock(mutex_);
  Size s;
  for (const auto& [key, a] : state_->accounts) {
    ++s.accounts;
    s.users += a->user_of.size();
    for (const auto& c : a->courses) {
      s.enrollments += c->enrolled.size();
      s.cells += c->enrolled.size() * c->slot_keys.size();
      for (const Enrolled& e : c->enrolled) {
        s.touched_cells += e.state->touched_cells();
        s.bytes += sizeof(Enrolled) + sizeof(UserCourse) + e.state->HeapBytes() +
                   e.imported.capacity() * sizeof(Certification) + e.share.HeapBytes();
        s.view_bytes += sizeof(Share) + e.share.HeapBytes();
      }
      // A node of the time-indexed counts: key, three links, colour and subtree size, as the
      // allocator rounds it.
      constexpr std::size_t kNodeBytes = 64;
      auto totals_bytes = [&](const CourseTotals& t) {
        return (t.at_risk.size() + t.held_from.size() + t.held_until.size()) * kNodeBytes +
               t.chapters.capacity() * sizeof(ExactSum) +
               t.chapter_bands.capacity() * sizeof(t.chapter_bands[0]) +
               (t.weeks.size() + t.first_weeks.size() + t.activity.size()) * kNodeBytes;
      };
      std::size_t caches = totals_bytes(c->totals);
      for (const CourseTotals& t : c->group_totals) caches += sizeof(CourseTotals) + totals_bytes(t);
      {
        MutexLock cache(c->cache_mutex);
        if (c->names) {
          caches += 3 * c->names->name_pos.capacity() * sizeof(std::uint32_t) +
                    c->names->folded.capacity() +
                    c->names->folded_start.capacity() * sizeof(std::uint32_t);
        }
        if (c->ranks) caches += c->ranks->by_rank.capacity() * sizeof(std::uint32_t);
      }
      s.bytes += caches;
      s.view_bytes += caches;
    }
  }
  return s;
}

}  // namespace cohort::metrics
