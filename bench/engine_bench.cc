// The in-memory metrics engine at the size of a large company (issue 3): apply throughput, the
// cost of a late attempt, each view's latency on the built world, and the memory per
// user × exercise cell.
//
// No store: the AttemptLoader regenerates a user × course's attempts from the same deterministic
// generator that fed the engine (attempt k of a user × course is a pure function of the pair and
// k), plus the few late attempts this program added, so a replay sees exactly what was applied
// without the attempts being kept in memory.
//
// COHORT_BENCH_SCALE=M (the default): 50,000 users, 40 groups, 20 courses of 45-55 exercises in
// 5-8 chapters, 3-4 enrollments per user, ~20 M attempts × 5 responses with Zipf-like activity.
// COHORT_BENCH_SCALE=S: 2,500 users and ~1 M attempts, for a quick run.
// The world is built once, streamed day by day in batches of 10,000 attempts (each user × course
// in time order), and only the engine keeps what it derives from them.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "domain/write_batch.h"
#include "metrics/engine.h"
#include "metrics/user_course.h"

namespace cohort::bench {
namespace {

// The engine's answer to a batch: the bench's source never fails, so an error is a bug.
void Check(const Status& s) {
  if (!s.ok()) {
    fmt::print(stderr, "engine bench: a batch failed: {}\n", s.ToString());
    std::abort();
  }
}

using Clock = std::chrono::steady_clock;

struct Scale {
  std::string name;
  int users = 0;
  double attempts = 0;  // the target total; the generator lands within a few per cent
};

std::optional<Scale> ScaleFromEnv() {
  const char* env = std::getenv("COHORT_BENCH_SCALE");
  const std::string name = env == nullptr || *env == '\0' ? "M" : env;
  if (name == "S") return Scale{"S", 2'500, 1'000'000};
  if (name == "M") return Scale{"M", 50'000, 20'000'000};
  return std::nullopt;
}

constexpr std::string_view kAccount = "acme";
constexpr int kCourses = 20;
constexpr int kGroups = 40;
constexpr int kResponsesPerAttempt = 5;
constexpr std::size_t kBatchAttempts = 10'000;
constexpr std::size_t kFreshBatchAttempts = 1'000;
constexpr std::int64_t kDays = 364;                  // 52 weeks of activity
constexpr std::int64_t kT0Ms = 20'094 * kMsPerDay;   // 2025-01-06T00:00Z, a Monday
constexpr std::int64_t kTEndMs = kT0Ms + kDays * kMsPerDay;
constexpr double kZipfOffset = 50;    // activity of the user ranked r ∝ 1 / (r + 50)
constexpr double kCourseSkew = 0.15;  // popularity of course c ∝ (c + 1)^-0.15
constexpr double kRevisit = 0.15;     // share of attempts that go back to an earlier exercise

// Salts, so each random choice draws from its own stream.
enum Salt : std::uint64_t {
  kSaltRank = 1, kSaltCourses, kSaltShare, kSaltPair, kSaltUser, kSaltGroup, kSaltCatalog,
  kSaltAttempt, kSaltResponse, kSaltId, kSaltFresh,
};

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finalizer
  x += 0x9e37'79b9'7f4a'7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58'476d'1ce4'e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d0'49bb'1331'11ebULL;
  return x ^ (x >> 31);
}
std::uint64_t Hash(std::uint64_t salt, std::uint64_t a, std::uint64_t b = 0) {
  return Mix(salt ^ Mix(a ^ Mix(b)));
}
double Unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }  // [0, 1)
std::uint32_t Below(std::uint64_t h, std::uint32_t n) { return static_cast<std::uint32_t>(h % n); }

std::size_t RssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

std::size_t HeapInUseBytes() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

constexpr const char* kFirstNames[] = {
    "Ada",    "Alexander", "Amélie",   "Anna",      "Benjamin", "Carlos",   "Charlotte",
    "Chen",   "Christopher", "Daniel", "Elena",     "Fatima",   "François", "Gabriel",
    "Hannah", "Ibrahim",   "Isabella", "Jamal",     "Jean-Baptiste", "Julia", "Kenji",
    "Laura",  "Lucas",     "Maria",    "Mohammed",  "Noah",     "Olivia",   "Priya",
    "Rafael", "Sara",      "Sofia",    "Thomas",    "Wei",      "Yusuf",    "Zoë",
};
constexpr const char* kLastNames[] = {
    "Andersson", "Bianchi",  "Brown",     "Chen",       "Da Silva",  "Dubois",   "Fischer",
    "García",    "Hansen",   "Ivanova",   "Jansen",     "Kowalski",  "Lefebvre", "Martin",
    "Müller",    "Nakamura", "Nguyen",    "O'Connor",   "Papadopoulos", "Patel",  "Rossi",
    "Santos",    "Schmidt",  "Smith",     "Van der Berg", "Wang",    "Williams", "Yamamoto",
};

// A user × course and how its attempts are laid out in time: attempt k starts at
// start_ms + k·spacing_ms plus a jitter under spacing/4 and lasts under spacing/2, so every
// attempt's responses sort after the previous attempt's (SPEC order = generation order).
struct Pair {
  int user = 0;
  int course = 0;
  std::uint32_t built = 0;  // attempts applied by the world build
  std::uint32_t count = 0;  // attempts stored now: built + those appended by the benchmarks
  std::uint32_t repeats = 1;  // attempts per exercise while working through the course
  double skill = 0.7;         // chance of a correct answer
  std::int64_t start_ms = 0;  // = enrolled_at
  std::int64_t spacing_ms = 0;
};

struct CourseMeta {
  domain::Course def;
  std::vector<std::string> exercise_keys;  // in catalog order
  std::int64_t enrolled = 0;
};

// The world, built once: metadata of the generator (a few MB), and the engine.
class World {
 public:
  static World& Get() {
    static World world(*ScaleFromEnv());
    return world;
  }

  explicit World(Scale scale);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  domain::Attempt MakeAttempt(std::size_t p, std::uint32_t k) const;
  domain::Attempt MakeLateAttempt(std::size_t p, std::uint32_t serial) const;
  // The loader: every stored attempt of the user × course.
  std::vector<domain::Attempt> Load(std::string_view user, std::string_view course);
  std::size_t DrawPairByActivity(std::uint64_t h) const;

  Scale scale;
  std::vector<CourseMeta> courses;
  std::vector<std::string> user_keys;
  std::vector<std::vector<int>> user_groups;
  std::vector<bool> user_active;
  std::vector<Pair> pairs;                // by user, then course
  std::vector<std::size_t> pair_begin;    // pairs of user u: [pair_begin[u], pair_begin[u + 1])
  std::vector<std::uint64_t> activity;    // running Σ of pairs' built attempts, for draws
  std::unordered_map<std::size_t, std::vector<domain::Attempt>> late;  // stored late attempts
  // The engine's AttemptSource: the regeneration, standing in for the store.
  struct Regenerated final : metrics::AttemptSource {
    explicit Regenerated(World* w) : world(w) {}
    Result<std::vector<domain::Attempt>> Load(AccountId, std::string_view user,
                                              std::string_view course) const override {
      return world->Load(user, course);
    }
    World* world;
  } source{this};
  metrics::Engine engine{source};
  Instant now{kTEndMs + kMsPerDay / 2};

  // Figures of the build.
  std::size_t attempts_applied = 0, responses_applied = 0, batches = 0;
  double apply_s = 0, generate_s = 0, setup_apply_s = 0;
  std::size_t rss_before = 0, rss_after = 0, heap_before = 0, heap_after = 0;
  metrics::Engine::Size size;

  // What the views look at.
  std::string top_course;
  std::int64_t top_course_users = 0;  // active users enrolled
  std::string top_group;
  std::int64_t top_group_users = 0;   // its active members in the top course
  std::size_t top_pair = 0;           // the most active user × course of the world
  std::vector<std::size_t> median_pairs;  // the 2,048 around the median activity
  std::size_t course_top_pair = 0, course_median_pair = 0;  // in the top course

  // Loader calls and time (the regeneration, standing in for the store's load).
  std::size_t loader_calls = 0;
  double loader_s = 0;

 private:
  void MakeCatalog();
  void MakeUsers();
  void MakePairs();
  void ApplySetup();
  void StreamAttempts();
  void PickTargets();
  void PrintSummary() const;
};

World::World(Scale s) : scale(std::move(s)) {
  MakeCatalog();
  MakeUsers();
  MakePairs();
  malloc_trim(0);
  rss_before = RssBytes();
  heap_before = HeapInUseBytes();
  ApplySetup();
  StreamAttempts();
  malloc_trim(0);
  rss_after = RssBytes();
  heap_after = HeapInUseBytes();
  size = engine.size();
  PickTargets();
  PrintSummary();
}

void World::MakeCatalog() {
  for (int c = 0; c < kCourses; ++c) {
    const std::uint64_t h = Hash(kSaltCatalog, static_cast<std::uint64_t>(c));
    const std::uint32_t chapters = 5 + Below(h, 4);             // 5-8
    const std::uint32_t exercises = 45 + Below(h >> 8, 11);     // 45-55
    CourseMeta meta;
    meta.def.key = fmt::format("c{:02}", c);
    meta.def.title = fmt::format("Course {}", c + 1);
    if (c >= 15) meta.def.settings.mastery_model = domain::MasteryModel::kBkt;
    if (c % 4 == 1) meta.def.settings.certification_valid_days = 180;
    for (std::uint32_t ch = 0; ch < chapters; ++ch) {
      domain::ChapterDef chapter{fmt::format("ch{}", ch + 1), fmt::format("Chapter {}", ch + 1), {}};
      for (std::uint32_t e = ch * exercises / chapters; e < (ch + 1) * exercises / chapters; ++e) {
        meta.exercise_keys.push_back(fmt::format("e{:02}", e));
        chapter.exercises.push_back({meta.exercise_keys.back(), fmt::format("Exercise {}", e + 1)});
      }
      meta.def.chapters.push_back(std::move(chapter));
    }
    courses.push_back(std::move(meta));
  }
}

void World::MakeUsers() {
  const auto n = static_cast<std::size_t>(scale.users);
  user_keys.reserve(n);
  user_groups.resize(n);
  user_active.resize(n);
  for (std::size_t u = 0; u < n; ++u) {
    user_keys.push_back(fmt::format("u{}", u));
    const std::uint64_t h = Hash(kSaltGroup, u);
    const int g1 = static_cast<int>(Below(h, kGroups));
    user_groups[u].push_back(g1);
    if (Unit(Hash(kSaltGroup, u, 1)) < 0.4) {  // 40% are in a second group
      user_groups[u].push_back((g1 + 1 + static_cast<int>(Below(h >> 16, kGroups - 1))) % kGroups);
    }
    user_active[u] = Unit(Hash(kSaltUser, u, 1)) >= 0.03;  // 3% have left
  }
}

void World::MakePairs() {
  const auto n = static_cast<std::size_t>(scale.users);
  // Activity rank: a fixed permutation, so the busiest people are not the first keys.
  std::vector<std::size_t> rank(n);
  std::iota(rank.begin(), rank.end(), std::size_t{0});
  for (std::size_t i = n - 1; i > 0; --i) {
    std::swap(rank[i], rank[Hash(kSaltRank, i) % (i + 1)]);
  }
  double total = 0;
  for (std::size_t r = 1; r <= n; ++r) total += 1.0 / (static_cast<double>(r) + kZipfOffset);
  std::vector<double> course_weight(kCourses);
  for (int c = 0; c < kCourses; ++c) course_weight[static_cast<std::size_t>(c)] = std::pow(c + 1.0, -kCourseSkew);

  pair_begin.reserve(n + 1);
  for (std::size_t u = 0; u < n; ++u) {
    pair_begin.push_back(pairs.size());
    const double user_attempts =
        scale.attempts / (static_cast<double>(rank[u] + 1) + kZipfOffset) / total;
    // 3 or 4 distinct courses, drawn by popularity.
    const int k = 3 + static_cast<int>(Hash(kSaltCourses, u) & 1);
    std::vector<int> chosen;
    std::vector<double> weight = course_weight;
    for (int j = 0; j < k; ++j) {
      double x = Unit(Hash(kSaltCourses, u, static_cast<std::uint64_t>(j + 1))) *
                 std::accumulate(weight.begin(), weight.end(), 0.0);
      int c = 0;
      while (c < kCourses - 1 && (weight[static_cast<std::size_t>(c)] == 0 ||
                                  x >= weight[static_cast<std::size_t>(c)])) {
        x -= weight[static_cast<std::size_t>(c)];
        ++c;
      }
      weight[static_cast<std::size_t>(c)] = 0;
      chosen.push_back(c);
    }
    std::vector<double> share(chosen.size());
    for (std::size_t j = 0; j < share.size(); ++j) share[j] = 0.3 + Unit(Hash(kSaltShare, u, j));
    const double share_sum = std::accumulate(share.begin(), share.end(), 0.0);
    for (std::size_t j = 0; j < chosen.size(); ++j) {
      const std::size_t p = pairs.size();
      const std::uint64_t h = Hash(kSaltPair, p);
      const double x = user_attempts * share[j] / share_sum;
      Pair pair;
      pair.user = static_cast<int>(u);
      pair.course = chosen[j];
      pair.built = static_cast<std::uint32_t>(x) +
                   (Unit(Hash(kSaltPair, p, 1)) < x - std::floor(x) ? 1U : 0U);
      pair.count = pair.built;
      pair.repeats = 1 + Below(h, 3);
      pair.skill = 0.55 + 0.35 * Unit(Hash(kSaltPair, p, 2));
      pair.start_ms = kT0Ms + static_cast<std::int64_t>(Unit(Hash(kSaltPair, p, 3)) * 0.6 *
                                                         static_cast<double>(kDays * kMsPerDay));
      // Light learners work in a burst and stop; busy ones keep going until the end.
      const double remaining = static_cast<double>(kTEndMs - pair.start_ms);
      const double reach = std::max(0.15 + 0.85 * Unit(Hash(kSaltPair, p, 4)),
                                    std::min(1.0, static_cast<double>(pair.built) / 300.0));
      const auto span = std::max<std::int64_t>(kMsPerDay, static_cast<std::int64_t>(remaining * reach) - 1);
      pair.spacing_ms = std::max<std::int64_t>(1000, span / std::max<std::int64_t>(1, pair.built));
      pairs.push_back(pair);
      ++courses[static_cast<std::size_t>(pair.course)].enrolled;
    }
  }
  pair_begin.push_back(pairs.size());
  activity.reserve(pairs.size());
  std::uint64_t running = 0;
  for (const Pair& pair : pairs) activity.push_back(running += pair.built);
}

domain::Attempt World::MakeAttempt(std::size_t p, std::uint32_t k) const {
  const Pair& pair = pairs[p];
  const CourseMeta& course = courses[static_cast<std::size_t>(pair.course)];
  const auto exercises = static_cast<std::uint32_t>(course.exercise_keys.size());
  const std::uint64_t h = Hash(kSaltAttempt, p, k);
  // Work through the course `repeats` attempts per exercise, going back now and then; once
  // through, practise anywhere.
  std::uint32_t exercise;
  double p_correct = pair.skill;
  const std::uint32_t frontier = k / pair.repeats;
  if (frontier < exercises && Unit(h) >= kRevisit) {
    exercise = frontier;
    p_correct += 0.1 * (k % pair.repeats);
  } else {
    exercise = Below(h >> 7, std::min(exercises, frontier + 1));
    p_correct += 0.1;
  }
  domain::Attempt a;
  const std::uint64_t id = Hash(kSaltId, p, k);
  // UUID-shaped ids, as an LMS sends them.
  a.id = fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", id >> 32, (id >> 16) & 0xffff,
                     id & 0xfff, 0x8000 | ((h >> 40) & 0x3fff), Mix(id) >> 16);
  a.user = user_keys[static_cast<std::size_t>(pair.user)];
  a.course = course.def.key;
  a.exercise = course.exercise_keys[exercise];
  a.started_at = Instant{pair.start_ms + static_cast<std::int64_t>(k) * pair.spacing_ms +
                         static_cast<std::int64_t>((h >> 20) % static_cast<std::uint64_t>(pair.spacing_ms / 4 + 1))};
  const std::int64_t cap_ms = std::max<std::int64_t>(1, pair.spacing_ms / (2 * kResponsesPerAttempt));
  std::int64_t elapsed = 0;
  a.responses.reserve(kResponsesPerAttempt);
  for (int r = 0; r < kResponsesPerAttempt; ++r) {
    const std::uint64_t hr = Hash(kSaltResponse, p, std::uint64_t{k} * 8 + static_cast<std::uint64_t>(r));
    domain::Response resp;
    resp.question = fmt::format("q{}", r + 1);
    resp.hints = Unit(hr) < 0.12 ? 1 + static_cast<std::int64_t>((hr >> 8) & 1) : 0;
    resp.correct = Unit(Mix(hr)) < p_correct + (resp.hints > 0 ? 0.1 : 0.0);
    resp.time_ms = std::min<std::int64_t>(cap_ms, 15'000 + static_cast<std::int64_t>((hr >> 20) % 105'000));
    elapsed += resp.time_ms;
    resp.answered_at = Instant{a.started_at.ms + elapsed};
    a.responses.push_back(std::move(resp));
  }
  a.finished_at = Instant{a.started_at.ms + elapsed + static_cast<std::int64_t>((h >> 50) % 5'000)};
  return a;
}

domain::Attempt World::MakeLateAttempt(std::size_t p, std::uint32_t serial) const {
  // An attempt from the middle of the pair's history, arriving now (an offline device).
  domain::Attempt a = MakeAttempt(p, pairs[p].built / 2);
  a.id = fmt::format("late-{}-{}", p, serial);
  const std::int64_t shift = pairs[p].spacing_ms * 3 / 4 + serial % 1000;
  a.started_at.ms += shift;
  if (a.finished_at) a.finished_at->ms += shift;
  for (domain::Response& r : a.responses) r.answered_at.ms += shift;
  return a;
}

std::vector<domain::Attempt> World::Load(std::string_view user, std::string_view course) {
  const Clock::time_point t0 = Clock::now();
  std::vector<domain::Attempt> out;
  std::size_t u = 0;
  int c = 0;
  std::from_chars(user.data() + 1, user.data() + user.size(), u);
  std::from_chars(course.data() + 1, course.data() + course.size(), c);
  for (std::size_t p = pair_begin[u]; p < pair_begin[u + 1]; ++p) {
    if (pairs[p].course != c) continue;
    auto extra = late.find(p);
    out.reserve(pairs[p].count + (extra == late.end() ? 0 : extra->second.size()));
    for (std::uint32_t k = 0; k < pairs[p].count; ++k) out.push_back(MakeAttempt(p, k));
    if (extra != late.end()) out.insert(out.end(), extra->second.begin(), extra->second.end());
  }
  ++loader_calls;
  loader_s += Seconds(Clock::now() - t0);
  return out;
}

std::size_t World::DrawPairByActivity(std::uint64_t h) const {
  const std::uint64_t x = h % activity.back();
  return static_cast<std::size_t>(std::upper_bound(activity.begin(), activity.end(), x) -
                                  activity.begin());
}

void World::ApplySetup() {
  domain::Account account{std::string(kAccount), "Acme Corporation", "Europe/Paris"};
  engine.PutAccount(AccountId{1}, account);
  domain::WriteBatch batch;
  for (int g = 0; g < kGroups; ++g) {
    batch.groups.items.push_back({fmt::format("g{:02}", g), fmt::format("Team {}", g + 1), {}});
  }
  for (const CourseMeta& c : courses) batch.courses.items.push_back(c.def);
  for (std::size_t u = 0; u < user_keys.size(); ++u) {
    domain::UserWrite w;
    const std::uint64_t h = Hash(kSaltUser, u);
    w.user.key = user_keys[u];
    w.user.name = fmt::format("{} {}", kFirstNames[h % std::size(kFirstNames)],
                              kLastNames[(h >> 16) % std::size(kLastNames)]);
    w.user.email = fmt::format("{}@acme.example", user_keys[u]);
    w.user.roles.Add(domain::Role::kLearner);
    for (int g : user_groups[u]) w.user.groups.push_back(fmt::format("g{:02}", g));
    w.user.active = user_active[u];
    batch.users.items.push_back(std::move(w));
  }
  for (const Pair& pair : pairs) {
    batch.enrollments.items.push_back({user_keys[static_cast<std::size_t>(pair.user)],
                                       courses[static_cast<std::size_t>(pair.course)].def.key,
                                       Instant{pair.start_ms}});
  }
  const Clock::time_point t0 = Clock::now();
  Check(engine.Apply(kAccount, batch, now));
  setup_apply_s = Seconds(Clock::now() - t0);
}

void World::StreamAttempts() {
  std::vector<std::uint32_t> next(pairs.size(), 0);
  domain::WriteBatch batch;
  batch.attempts.items.reserve(kBatchAttempts);
  std::size_t expected = 0;
  for (const Pair& pair : pairs) expected += pair.built;
  std::size_t reported = 0;
  auto flush = [&] {
    if (batch.attempts.items.empty()) return;
    const Clock::time_point t0 = Clock::now();
    Check(engine.Apply(kAccount, batch, now));
    apply_s += Seconds(Clock::now() - t0);
    attempts_applied += batch.attempts.items.size();
    responses_applied += batch.attempts.items.size() * kResponsesPerAttempt;
    ++batches;
    batch.attempts.items.clear();
    if (attempts_applied * 10 / expected > reported) {
      reported = attempts_applied * 10 / expected;
      fmt::print(stderr, "engine bench: world build {}% ({} attempts, {:.1f} s applying)\n",
                 reported * 10, attempts_applied, apply_s);
    }
  };
  // Day by day, every user × course's attempts of that day: each batch spans many people, and
  // each user × course arrives in time order, as an LMS sends them.
  Clock::time_point t_gen = Clock::now();
  double apply_before = 0;
  for (std::int64_t day = 1; day <= kDays + 1; ++day) {
    const std::int64_t day_end =
        day <= kDays ? kT0Ms + day * kMsPerDay : std::numeric_limits<std::int64_t>::max();
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      const Pair& pair = pairs[p];
      while (next[p] < pair.built &&
             pair.start_ms + static_cast<std::int64_t>(next[p]) * pair.spacing_ms < day_end) {
        batch.attempts.items.push_back(MakeAttempt(p, next[p]++));
        if (batch.attempts.items.size() == kBatchAttempts) flush();
      }
    }
  }
  flush();
  generate_s = Seconds(Clock::now() - t_gen) - (apply_s - apply_before);
}

void World::PickTargets() {
  // The course with the most enrollments, and its users as the course view counts them.
  std::size_t top = 0;
  for (std::size_t c = 1; c < courses.size(); ++c) {
    if (courses[c].enrolled > courses[top].enrolled) top = c;
  }
  top_course = courses[top].def.key;
  top_course_users = engine.Course(kAccount, top_course, now, nullptr).value().users;
  // The group with the most active members in it.
  std::vector<std::int64_t> members(kGroups, 0);
  std::vector<std::size_t> in_course, with_history;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const auto u = static_cast<std::size_t>(pairs[p].user);
    if (pairs[p].built >= 2) with_history.push_back(p);
    if (pairs[p].course != static_cast<int>(top)) continue;
    if (pairs[p].built >= 2) in_course.push_back(p);
    if (!user_active[u]) continue;
    for (int g : user_groups[u]) ++members[static_cast<std::size_t>(g)];
  }
  const auto g = std::max_element(members.begin(), members.end()) - members.begin();
  top_group = fmt::format("g{:02}", g);
  top_group_users = members[static_cast<std::size_t>(g)];
  auto by_activity = [&](std::size_t x, std::size_t y) {
    return std::tie(pairs[x].built, x) < std::tie(pairs[y].built, y);
  };
  std::sort(with_history.begin(), with_history.end(), by_activity);
  std::sort(in_course.begin(), in_course.end(), by_activity);
  top_pair = with_history.back();
  // Enough pairs that each gets at most a few late attempts, so replays stay at their size.
  const std::size_t band = std::min<std::size_t>(2048, with_history.size());
  const std::size_t first = (with_history.size() - band) / 2;
  median_pairs.assign(with_history.begin() + static_cast<std::ptrdiff_t>(first),
                      with_history.begin() + static_cast<std::ptrdiff_t>(first + band));
  course_top_pair = in_course.back();
  course_median_pair = in_course[in_course.size() / 2];
}

void World::PrintSummary() const {
  std::vector<std::uint32_t> built;
  for (const Pair& p : pairs) built.push_back(p.built);
  std::sort(built.begin(), built.end());
  auto pct = [&](double q) {
    return built[std::min(built.size() - 1, static_cast<std::size_t>(q * static_cast<double>(built.size())))];
  };
  const double cells = static_cast<double>(size.cells);
  fmt::print(stderr,
             "engine bench: scale {}: {} users, {} groups, {} courses, {} enrollments, {} cells ({} "
             "touched, {:.1f}%)\n"
             "engine bench: {} attempts, {} responses in {} batches; attempts per user × course: "
             "p50 {}, p90 {}, p99 {}, max {}\n"
             "engine bench: apply {:.2f} s = {:.0f} responses/s; generating {:.2f} s; setup batch "
             "{:.3f} s\n"
             "engine bench: RSS {:.1f} -> {:.1f} MiB: {:.1f} B per cell, {:.2f} B per response; "
             "heap in use {:.1f} -> {:.1f} MiB: {:.1f} B per cell\n"
             "engine bench: sizeof(ExerciseCell) {}, sizeof(UserCourse) {}; the enrollments hold "
             "{:.1f} B per cell\n"
             "engine bench: top course {} ({} active users), group {} ({} of them); "
             "loader calls during the build: {}\n",
             scale.name, size.users, kGroups, kCourses, size.enrollments, size.cells, size.touched_cells,
             100.0 * static_cast<double>(size.touched_cells) / cells,
             attempts_applied, responses_applied, batches, pct(0.5), pct(0.9), pct(0.99),
             built.back(), apply_s, static_cast<double>(responses_applied) / apply_s, generate_s,
             setup_apply_s, static_cast<double>(rss_before) / 1048576.0,
             static_cast<double>(rss_after) / 1048576.0,
             static_cast<double>(rss_after - rss_before) / cells,
             static_cast<double>(rss_after - rss_before) / static_cast<double>(responses_applied),
             static_cast<double>(heap_before) / 1048576.0, static_cast<double>(heap_after) / 1048576.0,
             static_cast<double>(heap_after - heap_before) / cells, sizeof(metrics::ExerciseCell),
             sizeof(metrics::UserCourse), static_cast<double>(size.bytes) / cells, top_course, top_course_users, top_group, top_group_users,
             loader_calls);
}

template <typename T>
bool Check(benchmark::State& state, const Result<T>& r) {
  if (r.ok()) return true;
  state.SkipWithError(r.status().ToString().c_str());
  return false;
}

// --- the build ---

void BM_WorldBuild(benchmark::State& state) {
  World& w = World::Get();
  for (auto _ : state) state.SetIterationTime(w.apply_s);
  const double cells = static_cast<double>(w.size.cells);
  state.counters["users"] = static_cast<double>(w.size.users);
  state.counters["enrollments"] = static_cast<double>(w.size.enrollments);
  state.counters["cells"] = cells;
  state.counters["attempts"] = static_cast<double>(w.attempts_applied);
  state.counters["responses"] = static_cast<double>(w.responses_applied);
  state.counters["responses/s"] = static_cast<double>(w.responses_applied) / w.apply_s;
  state.counters["RSS_MiB"] = static_cast<double>(w.rss_after - w.rss_before) / 1048576.0;
  state.counters["B/cell"] = static_cast<double>(w.rss_after - w.rss_before) / cells;
  state.counters["B/response"] =
      static_cast<double>(w.rss_after - w.rss_before) / static_cast<double>(w.responses_applied);
  state.counters["heap_B/cell"] = static_cast<double>(w.heap_after - w.heap_before) / cells;
}

// --- writes on the built world ---

void BM_ApplyFreshBatch(benchmark::State& state) {
  World& w = World::Get();
  static std::uint64_t draw = 0;  // across runs: every batch continues where the last stopped
  double seconds = 0;
  std::size_t responses = 0;
  const std::size_t replays = w.loader_calls;
  for (auto _ : state) {
    domain::WriteBatch batch;
    batch.attempts.items.reserve(kFreshBatchAttempts);
    for (std::size_t j = 0; j < kFreshBatchAttempts; ++j) {
      const std::size_t p = w.DrawPairByActivity(Hash(kSaltFresh, draw++));
      batch.attempts.items.push_back(w.MakeAttempt(p, w.pairs[p].count++));
    }
    const Clock::time_point t0 = Clock::now();
    Check(w.engine.Apply(kAccount, batch, w.now));
    const double s = Seconds(Clock::now() - t0);
    state.SetIterationTime(s);
    seconds += s;
    responses += kFreshBatchAttempts * kResponsesPerAttempt;
  }
  if (w.loader_calls != replays) state.SkipWithError("an in-order batch caused a replay");
  state.counters["responses/s"] = static_cast<double>(responses) / seconds;
}

void BM_LateAttempt(benchmark::State& state, bool busiest) {
  World& w = World::Get();
  const std::vector<std::size_t> pool =
      busiest ? std::vector<std::size_t>{w.top_pair} : w.median_pairs;
  static std::uint32_t serial = 0;
  const std::size_t calls = w.loader_calls;
  const double loader_s = w.loader_s;
  std::size_t replayed = 0, i = 0;
  for (auto _ : state) {
    const std::size_t p = pool[i++ % pool.size()];
    domain::WriteBatch batch;
    batch.attempts.items.push_back(w.MakeLateAttempt(p, serial++));
    w.late[p].push_back(batch.attempts.items.back());  // the store committed it first
    replayed += w.pairs[p].count + w.late[p].size();
    const Clock::time_point t0 = Clock::now();
    Check(w.engine.Apply(kAccount, batch, w.now));
    state.SetIterationTime(Seconds(Clock::now() - t0));
  }
  const auto n = static_cast<double>(state.iterations());
  if (w.loader_calls - calls != static_cast<std::size_t>(state.iterations())) state.SkipWithError("no replay");
  state.counters["attempts_replayed"] = static_cast<double>(replayed) / n;
  state.counters["loader_ms"] = (w.loader_s - loader_s) * 1000.0 / n;
}

// --- views on the built world (the course with the most enrollments) ---

void BM_AllCourses(benchmark::State& state) {
  World& w = World::Get();
  for (auto _ : state) {
    auto r = w.engine.AllCourses(kAccount, w.now, nullptr);
    if (!Check(state, r)) return;
    benchmark::DoNotOptimize(r);
  }
  state.counters["enrollments"] = static_cast<double>(w.size.enrollments);
}

void BM_Course(benchmark::State& state) {
  World& w = World::Get();
  std::size_t weeks = 0;
  for (auto _ : state) {
    auto r = w.engine.Course(kAccount, w.top_course, w.now, nullptr);
    if (!Check(state, r)) return;
    weeks = r.value().weekly.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["users"] = static_cast<double>(w.top_course_users);
  state.counters["weeks"] = static_cast<double>(weeks);
}

// The keys of the top group's members: a group manager's restriction (`only_users`).
std::vector<std::string> TopGroupMembers(const World& w) {
  const int g = std::stoi(w.top_group.substr(1));
  std::vector<std::string> keys;
  for (std::size_t u = 0; u < w.user_groups.size(); ++u) {
    for (int x : w.user_groups[u]) {
      if (x == g) keys.push_back(w.user_keys[u]);
    }
  }
  return keys;
}

// All courses and the course view restricted to a manager's members (walks their enrollments).
void BM_Members(benchmark::State& state, bool all_courses) {
  World& w = World::Get();
  const std::vector<std::string> members = TopGroupMembers(w);
  for (auto _ : state) {
    if (all_courses) {
      auto r = w.engine.AllCourses(kAccount, w.now, &members);
      if (!Check(state, r)) return;
      benchmark::DoNotOptimize(r);
    } else {
      auto r = w.engine.Course(kAccount, w.top_course, w.now, &members);
      if (!Check(state, r)) return;
      benchmark::DoNotOptimize(r);
    }
  }
  state.counters["members"] = static_cast<double>(members.size());
}

void BM_UserLeague(benchmark::State& state, std::string sort, bool descending,
                   bool group_filter) {
  World& w = World::Get();
  metrics::TableQuery q;
  q.sort = std::move(sort);
  q.descending = descending;
  q.order_given = true;
  q.limit = 50;
  if (group_filter) q.group = w.top_group;
  std::size_t total = 0;
  for (auto _ : state) {
    auto r = w.engine.UserLeague(kAccount, w.top_course, q, w.now);
    if (!Check(state, r)) return;
    total = r.value().total;
    benchmark::DoNotOptimize(r);
  }
  state.counters["users"] = static_cast<double>(w.top_course_users);
  state.counters["rows_matched"] = static_cast<double>(total);
}

void BM_GroupLeague(benchmark::State& state) {
  World& w = World::Get();
  metrics::TableQuery q;
  q.limit = 50;
  std::size_t total = 0;
  for (auto _ : state) {
    auto r = w.engine.GroupLeague(kAccount, w.top_course, q, w.now, nullptr);
    if (!Check(state, r)) return;
    total = r.value().total;
    benchmark::DoNotOptimize(r);
  }
  state.counters["users"] = static_cast<double>(w.top_course_users);
  state.counters["groups"] = static_cast<double>(total);
}

void BM_UserInCourse(benchmark::State& state, bool busiest) {
  World& w = World::Get();
  const Pair& pair = w.pairs[busiest ? w.course_top_pair : w.course_median_pair];
  const std::string& user = w.user_keys[static_cast<std::size_t>(pair.user)];
  for (auto _ : state) {
    auto r = w.engine.UserInCourse(kAccount, w.top_course, user, w.now);
    if (!Check(state, r)) return;
    benchmark::DoNotOptimize(r);
  }
  state.counters["attempts"] = static_cast<double>(pair.count);
}

void BM_History(benchmark::State& state, bool busiest) {
  World& w = World::Get();
  const Pair& pair = w.pairs[busiest ? w.course_top_pair : w.course_median_pair];
  const std::string& user = w.user_keys[static_cast<std::size_t>(pair.user)];
  const Clock::time_point t0 = Clock::now();
  const std::vector<domain::Attempt> attempts = w.Load(user, w.top_course);
  const double load_s = Seconds(Clock::now() - t0);
  // The exercise this user attempted most.
  std::map<std::string, std::size_t> per_exercise;
  for (const domain::Attempt& a : attempts) ++per_exercise[a.exercise];
  const auto most = std::max_element(per_exercise.begin(), per_exercise.end(),
                                     [](const auto& x, const auto& y) { return x.second < y.second; });
  std::size_t rows = 0;
  for (auto _ : state) {
    auto r = w.engine.History(kAccount, w.top_course, user, most->first, attempts);
    if (!Check(state, r)) return;
    rows = r.value().size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["attempts_loaded"] = static_cast<double>(attempts.size());
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["load_ms"] = load_s * 1000.0;  // the generator's, not a store's
}

// The account report by name (the default: only the page's rows are built), or by another column
// (every row is built, then sorted).
void BM_Report(benchmark::State& state, std::string sort, bool descending) {
  World& w = World::Get();
  metrics::TableQuery q;
  q.sort = std::move(sort);
  q.descending = descending;
  q.limit = 1000;
  std::size_t total = 0;
  for (auto _ : state) {
    auto r = w.engine.Report(kAccount, q, w.now);
    if (!Check(state, r)) return;
    total = r.value().total;
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows_total"] = static_cast<double>(total);
}

// A view read right after an in-order attempt of a median user of the course: the cost a view
// pays when a write made the course's cached weekly series and league orders stale (the first
// view after a write rebuilds them; the running totals are kept on apply).
void BM_ViewAfterApply(benchmark::State& state, std::string view) {
  World& w = World::Get();
  metrics::TableQuery q;
  q.limit = 50;
  q.sort = view == "league/points" ? "points" : "rank";
  const std::size_t p = w.course_median_pair;
  for (auto _ : state) {
    domain::WriteBatch batch;
    batch.attempts.items.push_back(w.MakeAttempt(p, w.pairs[p].count++));
    Check(w.engine.Apply(kAccount, batch, w.now));
    const Clock::time_point t0 = Clock::now();
    if (view == "course") {
      auto r = w.engine.Course(kAccount, w.top_course, w.now, nullptr);
      if (!Check(state, r)) return;
      benchmark::DoNotOptimize(r);
    } else if (view == "all_courses") {
      auto r = w.engine.AllCourses(kAccount, w.now, nullptr);
      if (!Check(state, r)) return;
      benchmark::DoNotOptimize(r);
    } else {
      auto r = w.engine.UserLeague(kAccount, w.top_course, q, w.now);
      if (!Check(state, r)) return;
      benchmark::DoNotOptimize(r);
    }
    state.SetIterationTime(Seconds(Clock::now() - t0));
  }
}

// The memory of the views' running totals and caches, once the views above have filled them.
void BM_ViewMemory(benchmark::State& state) {
  World& w = World::Get();
  metrics::Engine::Size size;
  for (auto _ : state) size = w.engine.size();
  state.counters["view_MiB"] = static_cast<double>(size.view_bytes) / 1048576.0;
  state.counters["view_B/enrollment"] =
      static_cast<double>(size.view_bytes) / static_cast<double>(size.enrollments);
  state.counters["engine_MiB"] = static_cast<double>(size.bytes) / 1048576.0;
}

void RegisterAll() {
  using benchmark::kMicrosecond;
  using benchmark::kMillisecond;
  benchmark::RegisterBenchmark("BM_WorldBuild", BM_WorldBuild)
      ->Iterations(1)->UseManualTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_AllCourses", BM_AllCourses)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Course", BM_Course)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_AllCourses/members", BM_Members, true)
      ->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Course/members", BM_Members, false)
      ->UseRealTime()->Unit(kMillisecond);
  for (const char* column : {"rank", "user", "name", "mastery", "progress", "completed",
                             "completed_at", "certified", "certified_at", "score", "points",
                             "time", "last_active", "at_risk"}) {
    for (const bool desc : {false, true}) {
      const std::string name = fmt::format("BM_UserLeague/{}/{}", column, desc ? "desc" : "asc");
      benchmark::RegisterBenchmark(name.c_str(), BM_UserLeague, std::string(column), desc, false)
          ->UseRealTime()->Unit(kMillisecond);
    }
  }
  benchmark::RegisterBenchmark("BM_UserLeague/group", BM_UserLeague, std::string("rank"), false,
                               true)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_GroupLeague", BM_GroupLeague)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_UserInCourse/median", BM_UserInCourse, false)
      ->UseRealTime()->Unit(kMicrosecond);
  benchmark::RegisterBenchmark("BM_UserInCourse/busiest", BM_UserInCourse, true)
      ->UseRealTime()->Unit(kMicrosecond);
  benchmark::RegisterBenchmark("BM_History/median", BM_History, false)
      ->UseRealTime()->Unit(kMicrosecond);
  benchmark::RegisterBenchmark("BM_History/busiest", BM_History, true)
      ->UseRealTime()->Unit(kMicrosecond);
  benchmark::RegisterBenchmark("BM_Report", BM_Report, std::string("rank"), false)
      ->Iterations(20)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Report/points/desc", BM_Report, std::string("points"), true)
      ->Iterations(20)->UseRealTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Report/last_active/asc", BM_Report,
                               std::string("last_active"), false)
      ->Iterations(20)->UseRealTime()->Unit(kMillisecond);
  // Writes last: they grow the world a little.
  benchmark::RegisterBenchmark("BM_ViewMemory", BM_ViewMemory)->Iterations(1);
  for (const char* view : {"all_courses", "course", "league/rank", "league/points"}) {
    const std::string name = fmt::format("BM_ViewAfterApply/{}", view);
    benchmark::RegisterBenchmark(name.c_str(), BM_ViewAfterApply, std::string(view))
        ->UseManualTime()->Unit(kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_ApplyFreshBatch", BM_ApplyFreshBatch)
      ->UseManualTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_LateAttempt/median", BM_LateAttempt, false)
      ->UseManualTime()->Unit(kMicrosecond);
  benchmark::RegisterBenchmark("BM_LateAttempt/busiest", BM_LateAttempt, true)
      ->Iterations(20)->UseManualTime()->Unit(kMillisecond);
}

}  // namespace
}  // namespace cohort::bench

int main(int argc, char** argv) {
  if (!cohort::bench::ScaleFromEnv()) {
    fmt::print(stderr, "COHORT_BENCH_SCALE must be S or M\n");
    return 2;
  }
  cohort::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
