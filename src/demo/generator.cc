#include "demo/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "demo/catalogue.h"
#include "demo/random.h"

// The people, their courses and their practice, drawn from the catalogue (catalogue.h) with one
// Random (random.h) in a fixed order; every attempt is made before any is written.

namespace cohort::demo {
namespace {

constexpr int kHistoryDays = 120;  // the generated history covers the days before `until`
constexpr double kFeelsMastered = 0.8;  // learners move on once their recent answers are this good
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerMinute = 60'000;

// "Zoë" -> "zoe", "van der Berg" -> "vanderberg", "O'Brien" -> "obrien": the ASCII letters of
// an email's local part. Letters with accents lose them; anything else unknown is dropped.
std::string Slug(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, char>, 22> kFolds = {{
      {"á", 'a'}, {"à", 'a'}, {"ä", 'a'}, {"å", 'a'}, {"ç", 'c'}, {"é", 'e'},
      {"è", 'e'}, {"ë", 'e'}, {"í", 'i'}, {"ï", 'i'}, {"ñ", 'n'}, {"ó", 'o'},
      {"ö", 'o'}, {"ø", 'o'}, {"ú", 'u'}, {"ü", 'u'}, {"Ø", 'o'}, {"Ö", 'o'},
      {"Ü", 'u'}, {"É", 'e'}, {"Å", 'a'}, {"Ä", 'a'},
  }};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
      ++i;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& [from, to] : kFolds) {
      if (text.substr(i).starts_with(from)) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (!folded) ++i;
  }
  return out;
}

std::vector<std::string_view> SplitBar(std::string_view line) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t bar = line.find('|');
    parts.push_back(line.substr(0, bar));
    if (bar == std::string_view::npos) return parts;
    line.remove_prefix(bar + 1);
  }
}

struct ExerciseModel {
  std::string key;
  int questions = 5;        // responses in a full attempt
  double difficulty = 0.0;  // lowers the chance of a correct answer
};

struct CourseModel {
  domain::Course course;
  std::vector<ExerciseModel> exercises;  // in course order
  std::string_view tag;
  double popularity = 1.0;
  int window = 10;  // how many recent answers a learner looks at to feel they have mastered one
};

struct Person {
  domain::User user;
  std::size_t primary_group = 0;
  double ability = 0.5;  // 0..1: first answers, learning speed, hints, time per question
  int budget = 0;        // attempts they are willing to make over the whole history
  int persistence = 1;   // tries on an exercise before moving on without mastering it
  int per_session = 1;   // the most attempts in one sitting
  double p_day = 0.0;    // the chance they practise on a given day
  double focus = 2.0;    // weight of their first course against the others
  int start_day = 1;     // days before `until` of their first possible activity
  int last_day = 1;      // days before `until` of their last possible activity
  int hour = 9;          // when they like to practise (UTC)
  int attempts = 0;
  int completed = 0;
  bool manages = false;
  std::vector<std::size_t> enrollments;  // into Generator::enrolled_
};

struct ExerciseProgress {
  int tries = 0;
  std::vector<int> credits;  // per response, in halves: 2 clean, 1 with hints, 0 wrong
};

struct Enrolled {
  std::size_t person = 0;
  std::size_t course = 0;
  double ability = 0.5;           // the person's, adjusted for this course
  int start_day = 1;              // days before `until` from which they may practise
  bool practises = true;          // false: enrolled by PUT and never started
  bool assigned = false;          // also enrolled by PUT, dated before the first attempt
  std::optional<Instant> put_at;  // an explicit (PUT) enrollment with this date
  std::vector<ExerciseProgress> exercises;
  std::optional<std::size_t> current;
  int responses = 0;
  int first_day = 0;  // days before `until` of the first attempt; 0: none yet
  bool completed = false;
  bool done = false;
};

class Generator {
 public:
  Generator(const DemoOptions& options, Instant until)
      : options_(options), rng_(options.seed), base_ms_(until.ms / kMsPerDay * kMsPerDay) {}

  DemoData Run() {
    BuildCourses();
    BuildGroups();
    BuildPeople();
    ChooseManagers();
    PlanActivity();
    Enroll();
    for (std::size_t p = 0; p < people_.size(); ++p) Simulate(people_[p]);
    DateExplicitEnrollments();
    return Assemble(ChooseLearner());
  }

 private:
  Instant DayStart(int days_before) const {
    return Instant{base_ms_ - static_cast<std::int64_t>(days_before) * kMsPerDay};
  }

  void BuildCourses() {
    for (int i = 0; i < options_.courses; ++i) {
      const std::size_t entry_index = static_cast<std::size_t>(i) % Courses().size();
      const CourseEntry& entry = Courses()[entry_index];
      const int round = i / static_cast<int>(Courses().size());
      CourseModel model;
      model.tag = entry.tag;
      model.popularity = entry.popularity;
      domain::Course& c = model.course;
      c.key = round == 0 ? std::string(entry.key) : fmt::format("{}-{}", entry.key, round + 1);
      c.title = round == 0 ? std::string(entry.title)
                           : fmt::format("{} (Part {})", entry.title, round + 1);
      switch (entry.variant) {
        case Variant::kPlain:
          break;
        case Variant::kRecertify:
          c.settings.certification_valid_days = 365;
          break;
        case Variant::kBkt:
          c.settings.mastery_model = domain::MasteryModel::kBkt;
          break;
        case Variant::kShortWindow:
          c.settings.mastery_window = 5;
          break;
        case Variant::kFivePoints:
          c.settings.points_per_question = 5;
          break;
      }
      if (c.settings.mastery_model == domain::MasteryModel::kRecent) {
        model.window = c.settings.mastery_window;
      }
      int available = 0;
      for (std::string_view line : entry.chapters) available += line.empty() ? 0 : 1;
      const int chapters = std::min(available, rng_.Int(3, 6));
      for (int ch = 0; ch < chapters; ++ch) {
        const std::vector<std::string_view> parts =
            SplitBar(entry.chapters[static_cast<std::size_t>(ch)]);
        domain::ChapterDef& chapter = c.chapters.emplace_back();
        chapter.key = fmt::format("ch{}", ch + 1);
        chapter.title = std::string(parts.front());
        const int exercises = std::min(static_cast<int>(parts.size()) - 1, rng_.Int(3, 6));
        for (int e = 0; e < exercises; ++e) {
          ExerciseModel ex;
          ex.key = fmt::format("ch{}-ex{}", ch + 1, e + 1);
          ex.questions = rng_.Int(3, 8);
          // Later chapters are a little harder.
          ex.difficulty = rng_.Range(-0.1, 0.12) + 0.025 * ch;
          chapter.exercises.push_back(
              {ex.key, std::string(parts[static_cast<std::size_t>(e) + 1])});
          model.exercises.push_back(std::move(ex));
        }
      }
      courses_.push_back(std::move(model));
    }
  }

  void BuildGroups() {
    // 6 to 12 teams, and never more than a quarter of the people: each needs its own manager.
    const int wanted = std::clamp(6 + options_.users / 400, 6, static_cast<int>(Groups().size()));
    group_count_ = static_cast<std::size_t>(std::max(1, std::min(wanted, options_.users / 4)));
    for (std::size_t g = 0; g < group_count_; ++g) group_sizes_.push_back(Groups()[g].size);
  }

  std::string UniqueEmail(const std::string& local) {
    std::string email = fmt::format("{}@acme.example", local);
    for (int n = 2; !emails_.insert(email).second; ++n) {
      email = fmt::format("{}.{}@acme.example", local, n);
    }
    return email;
  }

  void BuildPeople() {
    // The account manager and the executives are fixed, so the sign-ins read the same for
    // every seed; everyone else is drawn.
    executives_ = 1 + static_cast<std::size_t>(options_.users / 700);
    first_plain_ = 1 + executives_;
    const auto users = static_cast<std::size_t>(options_.users);
    emails_.insert("manager@acme.example");
    emails_.insert("executive@acme.example");
    for (std::size_t i = 0; i < users; ++i) {
      Person p;
      p.user.key = fmt::format("u{:04}", i + 1);
      p.user.roles.Add(domain::Role::kLearner);
      if (i == 0) {
        p.user.name = "Ingrid Løvik";
        p.user.email = "manager@acme.example";
        p.user.roles.Add(domain::Role::kAccountManager);
      } else if (i == 1) {
        p.user.name = "José García";
        p.user.email = "executive@acme.example";
        p.user.roles.Add(domain::Role::kExecutive);
      } else {
        const std::string_view first = FirstNames()[rng_.Index(FirstNames().size())];
        const std::string_view last = LastNames()[rng_.Index(LastNames().size())];
        p.user.name = fmt::format("{} {}", first, last);
        p.user.email = UniqueEmail(fmt::format("{}.{}", Slug(first), Slug(last)));
        if (i < first_plain_) p.user.roles.Add(domain::Role::kExecutive);
      }
      // Mean of two uniforms: most people are middling, a few are very strong or weak.
      p.ability = 0.1 + 0.85 * (rng_.Unit() + rng_.Unit()) / 2.0;
      // The first people of each team are placed there, so every team has someone to manage it.
      if (i >= first_plain_ && i < first_plain_ + group_count_) {
        p.primary_group = i - first_plain_;
      } else {
        p.primary_group = rng_.Weighted(group_sizes_);
      }
      p.user.groups.emplace_back(Groups()[p.primary_group].key);
      if (group_count_ > 1 && rng_.Chance(0.25)) {
        std::size_t second = rng_.Index(group_count_ - 1);
        if (second >= p.primary_group) ++second;
        p.user.groups.emplace_back(Groups()[second].key);
      }
      people_.push_back(std::move(p));
    }
  }

  void ChooseManagers() {
    for (std::size_t g = 0; g < group_count_; ++g) {
      for (std::size_t i = first_plain_; i < people_.size(); ++i) {
        Person& p = people_[i];
        if (p.primary_group != g || p.manages) continue;
        p.manages = true;
        p.user.roles.Add(domain::Role::kGroupManager);
        managers_.push_back(i);
        break;
      }
    }
  }

  // How much each person practises, and when: a heavy-tailed appetite (a few people make
  // hundreds of attempts, most a handful), some who never start, some who stop for good.
  void PlanActivity() {
    for (std::size_t i = 0; i < people_.size(); ++i) {
      Person& p = people_[i];
      if (rng_.Chance(0.04) && i >= first_plain_ && !p.manages) {
        p.budget = 0;  // enrolled, never started
      } else {
        const double u = 1.0 - rng_.Unit();  // (0, 1]: Pareto with shape 1.1 from 10 attempts
        p.budget = static_cast<int>(std::min(800.0, 10.0 / std::pow(u, 1.0 / 1.1)));
      }
      // Most people were there from the start; a few joined recently.
      p.start_day =
          kHistoryDays - static_cast<int>((kHistoryDays - 7) * std::pow(rng_.Unit(), 1.5));
      p.last_day = 1;
      if (i >= first_plain_ && !p.manages && rng_.Chance(0.02)) {
        p.user.active = false;  // left the organisation a while ago
        p.last_day = std::min(p.start_day, rng_.Int(10, 60));
      } else if (p.start_day > 25 && rng_.Chance(0.1)) {
        p.last_day = rng_.Int(15, p.start_day - 7);  // gave up weeks ago
      }
      p.persistence = rng_.Int(1, 2) + (p.budget > 50 ? rng_.Int(1, 3) : 0);
      p.per_session = std::min(10, 1 + p.budget / 40 + rng_.Int(0, 1));
      p.focus = rng_.Range(1.5, 6.0);
      p.hour = rng_.Int(7, 19);
      // Pace above 1: they would spend their appetite before the end, and fall silent.
      const double pace = rng_.Range(0.6, 1.3);
      const double sessions = p.budget / ((1.0 + p.per_session) / 2.0);
      const double days = p.start_day - p.last_day + 1;
      p.p_day = std::clamp(sessions * pace / days, 0.08, 0.95);
    }
  }

  void Enroll() {
    for (std::size_t i = 0; i < people_.size(); ++i) {
      Person& p = people_[i];
      const std::string_view tags = Groups()[p.primary_group].tags;
      std::vector<double> weights;
      for (const CourseModel& c : courses_) {
        weights.push_back(c.popularity * (tags.find(c.tag) != std::string_view::npos ? 3.0 : 1.0));
      }
      // Light learners were given fewer courses: a handful of attempts spread over four
      // would leave every one of them stale.
      const int most = p.budget < 25 ? 2 : p.budget < 60 ? 3 : 4;
      const int count = std::min(options_.courses, rng_.Int(2, most));
      for (int k = 0; k < count; ++k) {
        const std::size_t c = rng_.Weighted(weights);
        weights[c] = 0;
        Enrolled e;
        e.person = i;
        e.course = c;
        const bool affinity = tags.find(courses_[c].tag) != std::string_view::npos;
        e.ability =
            std::clamp(p.ability + (affinity ? 0.08 : 0.0) + rng_.Range(-0.08, 0.08), 0.05, 0.97);
        e.start_day = k == 0 ? p.start_day : std::max(1, p.start_day - rng_.Int(0, 40));
        e.practises = p.budget > 0 && (k == 0 || !rng_.Chance(0.15));
        if (!e.practises) {
          const int day = rng_.Int(1, 100);
          e.put_at = Instant{DayStart(day).ms + 9 * kMsPerHour + rng_.Int(0, 59) * kMsPerMinute};
        } else if (rng_.Chance(0.2)) {
          e.assigned = true;  // dated once the first attempt is known
        }
        e.exercises.resize(courses_[c].exercises.size());
        p.enrollments.push_back(enrolled_.size());
        enrolled_.push_back(std::move(e));
      }
    }
  }

  double FeltMastery(const Enrolled& e, std::size_t x) const {
    const std::vector<int>& credits = e.exercises[x].credits;
    const auto window = static_cast<std::size_t>(courses_[e.course].window);
    const std::size_t from = credits.size() > window ? credits.size() - window : 0;
    int sum = 0;
    for (std::size_t k = from; k < credits.size(); ++k) sum += credits[k];
    return sum / (2.0 * static_cast<double>(window));
  }

  // The exercise a learner works on next: the current one until it feels mastered or they lose
  // patience, then the next untried one (sometimes they skip ahead), then, once every exercise
  // is tried, the weakest one again. nullopt when nothing is left worth practising.
  std::optional<std::size_t> NextExercise(Enrolled& e, const Person& p) {
    if (e.current) {
      const std::size_t x = *e.current;
      if (e.exercises[x].tries < p.persistence && FeltMastery(e, x) < kFeelsMastered) return x;
    }
    std::vector<std::size_t> untried;
    for (std::size_t x = 0; x < e.exercises.size(); ++x) {
      if (e.exercises[x].tries == 0) untried.push_back(x);
    }
    if (!untried.empty()) {
      e.current = rng_.Chance(0.1) ? untried[rng_.Index(untried.size())] : untried.front();
      return e.current;
    }
    std::optional<std::size_t> weakest;
    double lowest = kFeelsMastered;
    for (std::size_t x = 0; x < e.exercises.size(); ++x) {
      const double m = FeltMastery(e, x);
      if (m < lowest && e.exercises[x].tries < p.persistence + 3) {
        lowest = m;
        weakest = x;
      }
    }
    e.current = weakest;
    return weakest;
  }

  // One attempt starting at `start` on day `day`; returns when it ended, or nullopt when the
  // enrollment has nothing left to practise.
  std::optional<Instant> Practise(Enrolled& e, Person& p, Instant start, int day) {
    const std::optional<std::size_t> x = NextExercise(e, p);
    if (!x) {
      e.done = true;
      return std::nullopt;
    }
    const CourseModel& course = courses_[e.course];
    const ExerciseModel& ex = course.exercises[*x];
    ExerciseProgress& progress = e.exercises[*x];
    const double ability = e.ability;

    domain::Attempt a;
    a.user = p.user.key;
    a.course = course.course.key;
    a.exercise = ex.key;
    a.started_at = start;
    int questions = ex.questions;
    const bool abandoned = questions > 3 && rng_.Chance(0.04);
    if (abandoned) questions = rng_.Int(3, questions - 1);
    std::int64_t elapsed_ms = 0;
    for (int q = 0; q < questions; ++q) {
      // A learning curve: from the first-try rate towards the person's best, faster for the
      // able; practice on the rest of the course helps a little too.
      const double practice =
          static_cast<double>(progress.credits.size()) + 0.15 * static_cast<double>(e.responses);
      const double first = std::clamp(0.15 + 0.6 * ability - ex.difficulty, 0.05, 0.9);
      const double best = std::clamp(0.8 + 0.18 * ability - 0.5 * ex.difficulty, 0.5, 0.98);
      double p_correct =
          best - (best - first) * std::exp(-practice / (3.0 + 10.0 * (1.0 - ability)));
      const double p_hint = (0.03 + 0.4 * (1.0 - ability)) * std::exp(-practice / 15.0);
      int hints = 0;
      if (rng_.Chance(p_hint)) {
        hints = 1 + (rng_.Chance(0.35) ? 1 : 0) + (rng_.Chance(0.15) ? 1 : 0);
        p_correct += 0.3 * (1.0 - p_correct);
      }
      domain::Response r;
      r.question = fmt::format("q{}", q + 1);
      r.correct = rng_.Chance(p_correct);
      r.hints = hints;
      const double seconds =
          std::clamp((8.0 + 40.0 * (1.0 - ability) + 30.0 * ex.difficulty) * rng_.Range(0.5, 1.6) *
                         (1.0 + 0.25 * hints) * (practice > 12 ? 0.75 : 1.0),
                     5.0, 120.0);
      r.time_ms = static_cast<std::int64_t>(seconds * 1000.0);
      if (rng_.Chance(0.015)) r.points = r.correct ? (hints == 0 ? 20 : 5) : 0;  // a bonus question
      progress.credits.push_back(r.correct ? (hints == 0 ? 2 : 1) : 0);
      elapsed_ms += r.time_ms;
      ++e.responses;
      a.responses.push_back(std::move(r));
    }
    domain::ResolveAnsweredAt(a, {});
    Instant end{start.ms + elapsed_ms};
    // A closed tab or a crashed app sends no finished_at.
    if (!abandoned && !rng_.Chance(0.06)) {
      a.finished_at = Instant{end.ms + rng_.Int(1, 25) * kMsPerSecond};
      end = *a.finished_at;
    }
    ++progress.tries;
    ++p.attempts;
    if (e.first_day == 0) e.first_day = day;
    if (!e.completed && std::all_of(e.exercises.begin(), e.exercises.end(),
                                    [](const ExerciseProgress& g) { return g.tries > 0; })) {
      e.completed = true;
      ++p.completed;
    }
    attempts_.push_back(std::move(a));
    return end;
  }

  // Picks one of the person's courses open on `day`, the first one weighted by their focus.
  std::optional<std::size_t> PickCourse(const Person& p, int day) {
    std::vector<double> weights;
    bool any = false;
    for (std::size_t k = 0; k < p.enrollments.size(); ++k) {
      const Enrolled& e = enrolled_[p.enrollments[k]];
      const bool open = e.practises && !e.done && e.start_day >= day;
      // The first course comes first; a course not yet begun draws them in.
      const double interest = (k == 0 ? p.focus : 1.0) * (e.first_day == 0 ? 2.0 : 1.0);
      weights.push_back(open ? interest : 0.0);
      any = any || open;
    }
    if (!any) return std::nullopt;
    return p.enrollments[rng_.Weighted(weights)];
  }

  void Simulate(Person& p) {
    for (int day = p.start_day; day >= p.last_day && p.attempts < p.budget; --day) {
      if (!rng_.Chance(p.p_day)) continue;
      std::optional<std::size_t> e = PickCourse(p, day);
      if (!e) continue;
      const Instant day_start = DayStart(day);
      // Sessions end before 23:30 UTC of their day, so nothing passes `until`.
      const Instant day_end{day_start.ms + 23 * kMsPerHour + 30 * kMsPerMinute};
      const int hour = std::clamp(p.hour + rng_.Int(-2, 2), 6, 21);
      Instant t{day_start.ms + hour * kMsPerHour + rng_.Int(0, 59) * kMsPerMinute +
                rng_.Int(0, 59) * kMsPerSecond};
      const int n = rng_.Int(1, p.per_session);
      for (int k = 0; k < n && p.attempts < p.budget && t < day_end; ++k) {
        if (k > 0 && rng_.Chance(0.3)) e = PickCourse(p, day);  // switches course mid-session
        if (!e) break;
        std::optional<Instant> end = Practise(enrolled_[*e], p, t, day);
        if (!end) {
          e = PickCourse(p, day);
          continue;
        }
        t = Instant{end->ms + rng_.Int(10, 180) * kMsPerSecond};
      }
    }
  }

  // Assigned courses are dated a few days before their first attempt; a course the person
  // never reached stays as a PUT enrollment, so everyone keeps the 2-4 courses they were given.
  void DateExplicitEnrollments() {
    for (Enrolled& e : enrolled_) {
      if (e.first_day == 0 && e.practises) {
        e.put_at = Instant{DayStart(e.start_day).ms + 8 * kMsPerHour};
      } else if (e.assigned && e.first_day > 0) {
        // Before 06:00, the earliest any session starts, even on the day of the first attempt.
        e.put_at = Instant{DayStart(e.first_day + rng_.Int(0, 10)).ms + 5 * kMsPerHour +
                           rng_.Int(0, 59) * kMsPerMinute};
      }
    }
  }

  // A learner with a story to show: finished a course, in several, neither the most nor the
  // least active of such people. Falls back to the busiest plain learner.
  std::size_t ChooseLearner() const {
    std::vector<std::size_t> candidates, busy;
    for (std::size_t i = first_plain_; i < people_.size(); ++i) {
      const Person& p = people_[i];
      if (p.manages || !p.user.active || p.attempts == 0) continue;
      busy.push_back(i);
      if (p.completed > 0 && p.enrollments.size() >= 2) candidates.push_back(i);
    }
    const auto by_attempts = [this](std::size_t a, std::size_t b) {
      return std::pair(people_[a].attempts, a) < std::pair(people_[b].attempts, b);
    };
    if (!candidates.empty()) {
      std::sort(candidates.begin(), candidates.end(), by_attempts);
      return candidates[candidates.size() / 2];
    }
    if (!busy.empty()) return *std::max_element(busy.begin(), busy.end(), by_attempts);
    return people_.size() - 1;
  }

  DemoData Assemble(std::size_t learner) {
    DemoData data;
    const std::size_t group_manager = managers_.front();
    const std::array<std::pair<std::size_t, DemoSignIn>, 4> sign_ins = {{
        {0, {"account_manager", "", "", "demo-manager-1"}},
        {1, {"executive", "", "", "demo-executive-1"}},
        {group_manager, {"group_manager", "", "", "demo-group-manager-1"}},
        {learner, {"learner", "", "", "demo-learner-1"}},
    }};
    for (const auto& [index, sign_in] : sign_ins) {
      Person& p = people_[index];
      p.user.password = sign_in.password;
      DemoSignIn s = sign_in;
      s.user = p.user.key;
      s.email = p.user.email;
      data.sign_ins.push_back(std::move(s));
    }

    domain::WriteBatch& b = data.setup;
    b.groups.origin = {"/groups", true};
    b.courses.origin = {"/courses", true};
    b.users.origin = {"/users", true};
    b.enrollments.origin = {"/enrollments", true};
    for (std::size_t g = 0; g < group_count_; ++g) {
      b.groups.items.push_back({std::string(Groups()[g].key), std::string(Groups()[g].name), {}});
    }
    for (std::size_t m : managers_) {
      b.groups.items[people_[m].primary_group].managers.push_back(people_[m].user.key);
    }
    for (CourseModel& c : courses_) b.courses.items.push_back(std::move(c.course));
    for (Person& p : people_) b.users.items.push_back({std::move(p.user), std::nullopt});
    for (const Enrolled& e : enrolled_) {
      if (!e.put_at) continue;
      b.enrollments.items.push_back(
          {b.users.items[e.person].user.key, b.courses.items[e.course].key, e.put_at});
    }
    // A few people passed an external exam: certifications imported from elsewhere (SPEC §3.5),
    // valid for a year.
    b.certifications.origin = {"/certifications", true};
    for (std::size_t i = 7; i < enrolled_.size(); i += 29) {
      const Instant issued{base_ms_ - static_cast<std::int64_t>(20 + i % 90) * kMsPerDay};
      b.certifications.items.push_back({b.users.items[enrolled_[i].person].user.key,
                                        b.courses.items[enrolled_[i].course].key, issued,
                                        Instant{issued.ms + 365 * kMsPerDay}});
    }

    // Sent as the LMS would: in the order they happened.
    std::stable_sort(attempts_.begin(), attempts_.end(),
                     [](const domain::Attempt& x, const domain::Attempt& y) {
                       return x.started_at < y.started_at;
                     });
    for (std::size_t i = 0; i < attempts_.size(); ++i) {
      attempts_[i].id = fmt::format("demo-{}", i + 1);
    }
    data.attempts = std::move(attempts_);
    return data;
  }

  const DemoOptions& options_;
  Random rng_;
  std::int64_t base_ms_;  // 00:00 UTC of the day of `until`: day d starts d days before it
  std::vector<CourseModel> courses_;
  std::size_t group_count_ = 0;
  std::vector<double> group_sizes_;
  std::size_t executives_ = 1;
  std::size_t first_plain_ = 2;  // people before this index are the fixed sign-ins/executives
  std::set<std::string> emails_;
  std::vector<Person> people_;
  std::vector<std::size_t> managers_;  // one person per group, in group order
  std::vector<Enrolled> enrolled_;
  std::vector<domain::Attempt> attempts_;
};

}  // namespace

DemoData GenerateDemo(const DemoOptions& options, Instant until) {
  return Generator(options, until).Run();
}

}  // namespace cohort::demo
