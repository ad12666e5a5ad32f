#include "bench/world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>

#include <fmt/format.h>

namespace cohort::bench {
namespace {

// splitmix64: a tiny, portable generator, so the same seed gives the same files on any
// standard library (std:: distributions are implementation-defined).
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t s) : state(s) {}
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  int Below(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
};

std::uint64_t Key(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  Rng r(seed * 0x100000001b3ULL ^ (a << 40) ^ (b << 8) ^ c);
  r.Next();
  return r.Next();
}

constexpr const char* kFirst[] = {"Ada",   "Alan",  "Grace", "Edsger", "Barbara", "Donald",
                                  "Frances", "John", "Margaret", "Ken", "Radia", "Niklaus",
                                  "Sophie", "Tim",  "Hedy",  "Linus"};
constexpr const char* kLast[] = {"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth",
                                 "Allen",    "Backus", "Hamilton", "Thompson", "Perlman",
                                 "Wirth",    "Wilson", "Berners-Lee", "Lamarr", "Torvalds"};

// Per-course enrollment probability: the first course is the busiest (48 % of the account:
// ~24,000 of 50,000 at M), the others fall off like 1/rank.
double EnrollProbability(int course) { return 0.48 * 4.0 / (4.0 + course); }

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kResponsesPerFile = 2'000'000;

// The parameters of one user, derived from (seed, account, user) only.
struct Person {
  double skill;
  std::int64_t start_ms;
  std::int64_t attempts;
  std::vector<int> courses;
};

struct Activity {
  std::vector<double> weight;  // by user
  double total = 0;
};

Activity MakeActivity(int users, std::uint64_t seed, int account) {
  Activity a;
  a.weight.resize(static_cast<std::size_t>(users));
  const double offset = std::max(5.0, users / 1000.0);
  // A fixed permutation of ranks, so the busiest people are spread over the keys.
  std::uint64_t step = 7919;
  if (std::gcd(step, static_cast<std::uint64_t>(users)) != 1) step = 1;
  for (int u = 0; u < users; ++u) {
    const std::uint64_t rank = (static_cast<std::uint64_t>(u) * step + 13) % static_cast<std::uint64_t>(users);
    const bool idle = Key(seed, static_cast<std::uint64_t>(account), static_cast<std::uint64_t>(u), 7) % 20 == 0;
    a.weight[static_cast<std::size_t>(u)] = idle ? 0.0 : 1.0 / (static_cast<double>(rank) + offset);
    a.total += a.weight[static_cast<std::size_t>(u)];
  }
  return a;
}

class Writer {
 public:
  explicit Writer(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {}
  ~Writer() { Close(); }
  bool ok() const { return file_ != nullptr; }
  void Put(std::string_view s) {
    buffer_.append(s);
    if (buffer_.size() > (1 << 20)) Flush();
  }
  std::string& buffer() { return buffer_; }
  void MaybeFlush() {
    if (buffer_.size() > (1 << 20)) Flush();
  }
  bool Close() {
    if (!file_) return true;
    Flush();
    const bool good = std::ferror(file_) == 0;
    std::fclose(file_);
    file_ = nullptr;
    return good;
  }

 private:
  void Flush() {
    if (file_ && !buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
  }
  std::FILE* file_;
  std::string buffer_;
};

// Caches the date-and-hour prefix of timestamps: consecutive rows mostly share it.
class TimeFormatter {
 public:
  void Append(std::string& out, std::int64_t ms) {
    const std::int64_t hour = ms / 3'600'000;
    if (hour != hour_) {
      hour_ = hour;
      const std::string full = FormatTimeMs(hour * 3'600'000);
      prefix_ = full.substr(0, 14);  // "2026-03-01T09:"
    }
    const std::int64_t rest = ms - hour * 3'600'000;
    out.append(prefix_);
    fmt::format_to(std::back_inserter(out), "{:02}:{:02}.{:03}Z", rest / 60'000,
                   (rest / 1000) % 60, rest % 1000);
  }

 private:
  std::int64_t hour_ = -1;
  std::string prefix_;
};

}  // namespace

std::string FormatTimeMs(std::int64_t ms) {
  // Civil date from days since 1970-01-01 (proleptic Gregorian; era arithmetic).
  const std::int64_t days = ms >= 0 ? ms / kDayMs : (ms - kDayMs + 1) / kDayMs;
  const std::int64_t in_day = ms - days * kDayMs;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, in_day / 3'600'000,
                     (in_day / 60'000) % 60, (in_day / 1000) % 60, in_day % 1000);
}

Result<Scale> ScaleNamed(const std::string& name) {
  if (name == "XS") return Scale{"XS", 300, 2, 20, 4, 3, 3, 5, 3'000, 6};
  if (name == "S") return Scale{"S", 5'000, 5, 100, 10, 6, 8, 10, 1'000'000, 50};
  if (name == "M") return Scale{"M", 50'000, 20, 200, 20, 6, 8, 10, 20'000'000, 200};
  if (name == "L") return Scale{"L", 250'000, 100, 200, 20, 6, 8, 10, 100'000'000, 1000};
  return Status(ErrorCode::kInvalid, fmt::format("unknown scale '{}': XS, S, M or L", name));
}

World MakeWorld(const Scale& scale, std::uint64_t seed) {
  World w;
  w.scale = scale;
  w.seed = seed;
  // 2026-01-05T00:00Z .. 2026-07-04T00:00Z: 180 days, well in the past, so no time is refused as
  // "in the future" and the figures do not depend on the day the bench runs (except at_risk).
  w.window_start_ms = 1'767'571'200'000;
  w.window_end_ms = w.window_start_ms + 180 * kDayMs;
  return w;
}

std::vector<std::string> World::Accounts() const {
  std::vector<std::string> out{"main"};
  for (int i = 1; i <= scale.small_accounts; ++i) out.push_back(fmt::format("small-{:02}", i));
  return out;
}

std::string World::UserKey(int user) const { return fmt::format("u{:06}", user); }

std::string World::UserName(int account, int user) const {
  const std::uint64_t k = Key(seed, static_cast<std::uint64_t>(account),
                              static_cast<std::uint64_t>(user), 1);
  return fmt::format("{} {} {:06}", kFirst[k % 16], kLast[(k >> 8) % 16], user);
}

std::string World::CourseKey(int course) const { return fmt::format("c{:02}", course + 1); }

std::string World::ExerciseKey(int, int chapter, int exercise) const {
  return fmt::format("e{}-{:02}", chapter + 1, exercise + 1);
}

int World::ExercisesIn(int course, int chapter) const {
  const int span = scale.max_exercises - scale.min_exercises + 1;
  return scale.min_exercises +
         static_cast<int>(Key(seed, 99, static_cast<std::uint64_t>(course),
                              static_cast<std::uint64_t>(chapter)) %
                          static_cast<std::uint64_t>(span));
}

std::vector<int> World::CoursesOf(int account, int user) const {
  std::vector<int> out;
  Rng r(Key(seed, static_cast<std::uint64_t>(account), static_cast<std::uint64_t>(user), 2));
  for (int c = 0; c < scale.courses; ++c) {
    if (r.Uniform() < EnrollProbability(c)) out.push_back(c);
  }
  if (out.empty()) out.push_back(user % scale.courses);
  return out;
}

namespace {
struct Profile {
  std::vector<int> groups;
  bool active;
};
Profile MakeProfile(const World& w, int account, int user) {
  const int groups = account == 0 ? w.scale.groups : 2;
  Rng r(Key(w.seed, static_cast<std::uint64_t>(account), static_cast<std::uint64_t>(user), 3));
  const int g1 = r.Below(groups);
  const int g2 = r.Below(groups);
  const bool second = r.Uniform() < 0.2 && g2 != g1;
  const bool active = r.Uniform() >= 0.03;
  Profile p{{g1}, active};
  if (second) p.groups.push_back(g2);
  return p;
}
}  // namespace

bool World::Active(int account, int user) const { return MakeProfile(*this, account, user).active; }

std::vector<int> World::GroupsOf(int account, int user) const {
  return MakeProfile(*this, account, user).groups;
}

std::vector<int> World::Enrolled(int account, int course) const {
  std::vector<int> out;
  for (int u = 0; u < UsersOf(account); ++u) {
    const std::vector<int> courses = CoursesOf(account, u);
    if (std::find(courses.begin(), courses.end(), course) != courses.end()) out.push_back(u);
  }
  return out;
}

Result<std::vector<AccountFiles>> GenerateFiles(
    const World& world, const std::string& dir,
    const std::function<void(std::int64_t, std::int64_t)>& progress) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(ErrorCode::kInternal, fmt::format("cannot create {}: {}", dir, ec.message()));
  const Scale& s = world.scale;
  const std::vector<std::string> accounts = world.Accounts();
  const std::int64_t small_attempts = static_cast<std::int64_t>(s.small_users) * 40;
  const std::int64_t grand_total = s.attempts + small_attempts * s.small_accounts;
  std::int64_t written = 0;
  std::vector<AccountFiles> result;
  for (int a = 0; a < static_cast<int>(accounts.size()); ++a) {
    AccountFiles files;
    files.account = accounts[static_cast<std::size_t>(a)];
    const int users = world.UsersOf(a);
    const int groups = a == 0 ? s.groups : 2;
    const std::int64_t attempts_total = a == 0 ? s.attempts : small_attempts;
    const Activity activity = MakeActivity(users, world.seed, a);

    // The catalog: courses, groups, users, enrollments (one JSON bundle for `cohort import`).
    files.catalog = fmt::format("{}/{}-catalog.json", dir, files.account);
    {
      Writer out(files.catalog);
      if (!out.ok()) return Status(ErrorCode::kInternal, "cannot write " + files.catalog);
      out.Put("{\"courses\":[");
      for (int c = 0; c < s.courses; ++c) {
        out.Put(fmt::format("{}{{\"key\":\"{}\",\"title\":\"Course {:02}\",\"chapters\":[",
                            c ? "," : "", world.CourseKey(c), c + 1));
        for (int ch = 0; ch < s.chapters; ++ch) {
          out.Put(fmt::format("{}{{\"key\":\"ch{}\",\"title\":\"Chapter {}\",\"exercises\":[",
                              ch ? "," : "", ch + 1, ch + 1));
          for (int e = 0; e < world.ExercisesIn(c, ch); ++e) {
            out.Put(fmt::format("{}{{\"key\":\"{}\",\"title\":\"Exercise {}.{}\"}}", e ? "," : "",
                                world.ExerciseKey(c, ch, e), ch + 1, e + 1));
          }
          out.Put("]}");
        }
        out.Put("]}");
      }
      out.Put("],\"groups\":[");
      for (int g = 0; g < groups; ++g) {
        out.Put(fmt::format("{}{{\"key\":\"g{:03}\",\"name\":\"Group {:03}\",\"managers\":[]}}",
                            g ? "," : "", g + 1, g + 1));
      }
      out.Put("],\"users\":[");
      for (int u = 0; u < users; ++u) {
        const std::vector<int> member_of = world.GroupsOf(a, u);
        std::string group_list;
        for (int g : member_of) {
          group_list += fmt::format("{}\"g{:03}\"", group_list.empty() ? "" : ",", g + 1);
        }
        out.Put(fmt::format(
            "{}{{\"key\":\"{}\",\"name\":\"{}\",\"email\":\"{}@example.com\",\"roles\":["
            "\"learner\"],\"groups\":[{}],\"active\":{}}}",
            u ? "," : "", world.UserKey(u), world.UserName(a, u), world.UserKey(u), group_list,
            world.Active(a, u) ? "true" : "false"));
      }
      out.Put("],\"enrollments\":[");
      bool first = true;
      for (int u = 0; u < users; ++u) {
        Rng r(Key(world.seed, static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(u), 4));
        const std::int64_t start =
            world.window_start_ms +
            static_cast<std::int64_t>(r.Uniform() * 0.6 * static_cast<double>(world.window_end_ms - world.window_start_ms));
        for (int c : world.CoursesOf(a, u)) {
          out.Put(fmt::format("{}{{\"user\":\"{}\",\"course\":\"{}\",\"enrolled_at\":\"{}\"}}",
                              first ? "" : ",", world.UserKey(u), world.CourseKey(c),
                              FormatTimeMs(start - kDayMs)));
          first = false;
        }
      }
      out.Put("]}\n");
      if (!out.Close()) return Status(ErrorCode::kInternal, "cannot write " + files.catalog);
    }

    // The attempts: one CSV row per response; each user's attempts in time order.
    std::unique_ptr<Writer> out;
    std::int64_t in_file = kResponsesPerFile;
    std::int64_t attempt_id = 0;
    TimeFormatter clock;
    for (int u = 0; u < users; ++u) {
      const double share = activity.weight[static_cast<std::size_t>(u)] / activity.total;
      const std::int64_t n = std::llround(share * static_cast<double>(attempts_total));
      if (n == 0) continue;
      Rng r(Key(world.seed, static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(u), 4));
      const std::int64_t start =
          world.window_start_ms +
          static_cast<std::int64_t>(r.Uniform() * 0.6 * static_cast<double>(world.window_end_ms - world.window_start_ms));
      const double skill = 0.45 + 0.5 * r.Uniform();
      const std::vector<int> courses = world.CoursesOf(a, u);
      std::vector<int> frontier(courses.size(), 0);
      const std::string user_key = world.UserKey(u);
      const double span = static_cast<double>(world.window_end_ms - start);
      for (std::int64_t k = 0; k < n; ++k) {
        if (in_file >= kResponsesPerFile) {
          if (out && !out->Close()) return Status(ErrorCode::kInternal, "cannot write attempts");
          files.attempt_csvs.push_back(fmt::format("{}/{}-attempts-{:03}.csv", dir, files.account,
                                                   files.attempt_csvs.size() + 1));
          out = std::make_unique<Writer>(files.attempt_csvs.back());
          if (!out->ok()) return Status(ErrorCode::kInternal, "cannot write " + files.attempt_csvs.back());
          out->Put("attempt,user,course,exercise,started_at,finished_at,question,correct,hints,time_ms\n");
          in_file = 0;
        }
        const std::size_t ci = static_cast<std::size_t>(r.Below(static_cast<int>(courses.size())));
        const int course = courses[ci];
        int total_ex = 0;
        for (int ch = 0; ch < s.chapters; ++ch) total_ex += world.ExercisesIn(course, ch);
        // Mostly the next exercise of the course, sometimes one already seen.
        int index;
        if (frontier[ci] < total_ex && r.Uniform() < 0.7) {
          index = frontier[ci]++;
        } else {
          index = r.Below(std::max(1, frontier[ci]));
        }
        int chapter = 0;
        while (index >= world.ExercisesIn(course, chapter)) index -= world.ExercisesIn(course, chapter++);
        const std::int64_t started =
            start + static_cast<std::int64_t>(span * (static_cast<double>(k) + r.Uniform()) /
                                              static_cast<double>(n));
        const int responses = 3 + r.Below(5);
        std::int64_t times[8];
        bool correct[8];
        int hints[8];
        std::int64_t sum = 0;
        for (int i = 0; i < responses; ++i) {
          times[i] = 4000 + r.Below(56000);
          correct[i] = r.Uniform() < skill;
          hints[i] = r.Uniform() < 0.15 ? 1 + r.Below(2) : 0;
          sum += times[i];
        }
        // 1 % are left open in a tab for three hours: the duration cap (7200 s) applies.
        const std::int64_t finished =
            r.Uniform() < 0.01 ? started + 3 * 3'600'000 : started + sum + r.Below(20000);
        std::string row_head = fmt::format("{},{},{},{},", ++attempt_id, user_key,
                                           world.CourseKey(course),
                                           world.ExerciseKey(course, chapter, index));
        std::string& buf = out->buffer();
        std::string times_text;
        clock.Append(times_text, started);
        times_text.push_back(',');
        clock.Append(times_text, finished);
        for (int i = 0; i < responses; ++i) {
          buf.append(row_head);
          buf.append(times_text);
          fmt::format_to(std::back_inserter(buf), ",q{},{},{},{}\n", i + 1, correct[i] ? 1 : 0,
                         hints[i], times[i]);
        }
        out->MaybeFlush();
        in_file += responses;
        files.responses += responses;
        ++files.attempts;
        if ((++written & 0xffff) == 0 && progress) progress(written, grand_total);
      }
    }
    if (out && !out->Close()) return Status(ErrorCode::kInternal, "cannot write attempts");
    for (const std::string& f : files.attempt_csvs) {
      files.bytes += static_cast<std::int64_t>(std::filesystem::file_size(f, ec));
    }
    result.push_back(std::move(files));
  }
  if (progress) progress(written, grand_total);
  return result;
}

}  // namespace cohort::bench
