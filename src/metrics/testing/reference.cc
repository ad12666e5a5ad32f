#include "metrics/testing/reference.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace cohort::metrics::testing {
namespace {

// SPEC §3.8: thresholds are met at equality, compared with a 1e-9 tolerance.
bool AtLeast(double value, double line) { return value >= line - 1e-9; }

// Ids and names compare as bytes (SPEC §3.8).
int CompareBytes(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// A search's folding written out another way than metrics/search_fold.cc: the Latin letters
// listed by the letters they fold to, each looked up as its UTF-8 text.
std::string Lower(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> kBases[] = {
      {"ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a"}, {"Ææ", "ae"}, {"ÇçĆćĈĉĊċČč", "c"},
      {"ÐðĎďĐđ", "d"},             {"ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e"},
      {"ĜĝĞğĠġĢģ", "g"},           {"ĤĥĦħ", "h"},
      {"ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i"}, {"Ĳĳ", "ij"}, {"Ĵĵ", "j"}, {"Ķķĸ", "k"},
      {"ĹĺĻļĽľĿŀŁł", "l"},         {"ÑñŃńŅņŇňŉŊŋ", "n"},
      {"ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o"}, {"Œœ", "oe"}, {"ŔŕŖŗŘř", "r"},
      {"ŚśŜŝŞşŠšſ", "s"},          {"ß", "ss"}, {"ŢţŤťŦŧ", "t"}, {"Þþ", "th"},
      {"ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u"}, {"Ŵŵ", "w"}, {"ÝýÿŶŷŸ", "y"}, {"ŹźŻżŽž", "z"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
      ++i;
      continue;
    }
    if (c >= 0x80 && i + 1 < s.size()) {
      const std::string_view two = s.substr(i, 2);
      // Combining marks U+0300–U+036F: CC 80–CC BF, CD 80–CD AF.
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xCC && next >= 0x80 && next <= 0xBF) ||
          (c == 0xCD && next >= 0x80 && next <= 0xAF)) {
        i += 2;
        continue;
      }
      bool folded = false;
      for (const auto& [letters, base] : kBases) {
        for (std::size_t j = 0; j + 1 < letters.size(); j += 2) {
          if (letters.substr(j, 2) == two) {
            out += base;
            folded = true;
            break;
          }
        }
        if (folded) break;
      }
      if (folded) {
        i += 2;
        continue;
      }
    }
    out += static_cast<char>(c);
    ++i;
  }
  return out;
}

bool NameMatches(std::string_view name, std::string_view q) {
  return Lower(name).find(Lower(q)) != std::string::npos;
}

// A person's search (SPEC §3.8 `q`, issue 20): in the name or the email.
bool PersonMatches(std::string_view name, std::string_view email, std::string_view q) {
  return NameMatches(name, q) || NameMatches(email, q);
}

bool Allowed(const std::vector<std::string>* only, const std::string& key) {
  if (only == nullptr) return true;
  for (const std::string& k : *only) {
    if (k == key) return true;
  }
  return false;
}

std::optional<double> MeanOf(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// The Monday (days since 1970-01-01) of the week holding local day `day`. 1970-01-05 (day 4)
// was a Monday.
std::int64_t MondayOf(std::int64_t day) {
  const std::int64_t into_week = ((day - 4) % 7 + 7) % 7;
  return day - into_week;
}

// SPEC §3.1.
double CreditOf(const domain::Response& r) {
  if (!r.correct) return 0.0;
  return r.hints == 0 ? 1.0 : 0.5;
}

std::int64_t PointsOf(const domain::Response& r, const domain::CourseSettings& s) {
  if (r.points) return *r.points;
  if (!r.correct) return 0;
  if (r.hints == 0) return s.points_per_question;
  return s.points_per_question / 2;
}

// SPEC §3.2: finished_at − started_at, else Σ time_ms; capped at max_attempt_seconds.
std::int64_t DurationMs(const domain::Attempt& a, const domain::CourseSettings& s) {
  std::int64_t ms = 0;
  if (a.finished_at) {
    ms = a.finished_at->ms - a.started_at.ms;
  } else {
    for (const domain::Response& r : a.responses) ms += r.time_ms;
  }
  const std::int64_t cap = std::int64_t{s.max_attempt_seconds} * 1000;
  return ms > cap ? cap : ms;
}

// The mastery of one user × exercise, fed its credits one response at a time in SPEC order.
class CellMastery {
 public:
  explicit CellMastery(const domain::CourseSettings& s) : s_(&s), p_(s.p_init) {}

  void Add(double credit) {
    credits_.push_back(credit);
    // BKT, step by step: Bayes' rule on the observation, then the chance to learn.
    const bool right = credit == 1.0;
    const double p = p_;
    double num, den;
    if (right) {
      num = p * (1 - s_->p_slip);
      den = num + (1 - p) * s_->p_guess;
    } else {
      num = p * s_->p_slip;
      den = num + (1 - p) * (1 - s_->p_guess);
    }
    const double posterior = den > 0 ? num / den : p;
    p_ = posterior + (1 - posterior) * s_->p_learn;
  }

  double Value() const {
    if (credits_.empty()) return 0.0;
    if (s_->mastery_model == domain::MasteryModel::kBkt) return p_;
    // recent: the last W credits, literally.
    const std::size_t w = static_cast<std::size_t>(s_->mastery_window);
    const std::size_t from = credits_.size() > w ? credits_.size() - w : 0;
    double sum = 0;
    for (std::size_t i = from; i < credits_.size(); ++i) sum += credits_[i];
    return sum / static_cast<double>(w);
  }

 private:
  const domain::CourseSettings* s_;
  std::vector<double> credits_;
  double p_;
};

// One exercise of the current catalog.
struct CatalogExercise {
  std::string key, title, chapter;
  std::size_t chapter_index = 0;
};

std::vector<CatalogExercise> Flatten(const domain::Course& course) {
  std::vector<CatalogExercise> out;
  for (std::size_t c = 0; c < course.chapters.size(); ++c) {
    for (const domain::ExerciseDef& e : course.chapters[c].exercises) {
      out.push_back({e.key, e.title, course.chapters[c].key, c});
    }
  }
  return out;
}

std::optional<std::size_t> PositionOf(const std::vector<CatalogExercise>& exercises,
                                      std::string_view key) {
  for (std::size_t i = 0; i < exercises.size(); ++i) {
    if (exercises[i].key == key) return i;
  }
  return std::nullopt;
}

// A response placed for sorting into SPEC order.
struct Placed {
  const domain::Attempt* attempt = nullptr;
  std::size_t index = 0;
  std::size_t exercise = 0;
  const domain::Response& response() const { return attempt->responses[index]; }
};

// (answered_at, attempt started_at, attempt id bytes, response index) — SPEC §2.
bool SpecBefore(const Placed& x, const Placed& y) {
  if (x.response().answered_at != y.response().answered_at) {
    return x.response().answered_at < y.response().answered_at;
  }
  if (x.attempt->started_at != y.attempt->started_at) {
    return x.attempt->started_at < y.attempt->started_at;
  }
  const int ids = CompareBytes(x.attempt->id, y.attempt->id);
  if (ids != 0) return ids < 0;
  return x.index < y.index;
}

bool HasRunOfFive(const std::set<std::int64_t>& days) {
  for (std::int64_t d : days) {
    bool run = true;
    for (std::int64_t k = 1; k < 5; ++k) run = run && days.count(d + k) > 0;
    if (run) return true;
  }
  return false;
}

struct Cell {
  std::int64_t attempts = 0, responses = 0, correct = 0, hints = 0, points = 0, time_ms = 0;
  std::optional<Instant> last_attempt;
  double mastery = 0;
};

// Everything of one user in one course, from scratch.
struct Derived {
  std::vector<CatalogExercise> exercises;
  std::vector<Cell> cells;
  double mastery = 0, progress = 0;
  std::optional<Instant> completed_at, last_active;
  std::int64_t responses = 0, correct = 0, points = 0, time_ms = 0, attempts = 0, hints = 0;
  std::optional<double> score;
  std::vector<std::optional<double>> chapters;
  std::vector<Certification> certifications;
  std::vector<Badge> badges;
  // After each response in SPEC order: the local Monday of its week and the course mastery.
  std::vector<std::pair<std::int64_t, double>> walk;
  Instant enrolled_at;

  std::optional<Certification> HeldAt(Instant now) const {
    std::optional<Certification> held;
    for (const Certification& c : certifications) {
      const bool valid = c.issued_at <= now && (!c.expires_at || now < *c.expires_at);
      if (valid && (!held || held->issued_at < c.issued_at)) held = c;
    }
    return held;
  }
  bool AtRisk(const domain::CourseSettings& s, Instant now) const {
    if (completed_at) return false;
    const Instant since = last_active ? *last_active : enrolled_at;
    return now.ms - since.ms >= std::int64_t{s.at_risk_days} * kMsPerDay;
  }
  // Course mastery from the responses of local weeks up to the one starting `monday`.
  double MasteryAtWeek(std::int64_t monday) const {
    double value = 0;
    for (const auto& [week, m] : walk) {
      if (week > monday) break;  // SPEC order is by answered_at: weeks never go back
      value = m;
    }
    return value;
  }
};

// Mastery bands (issue 20), written plainly: a learner with no response (in the course, or in
// the chapter's exercises) is not started; the others fall by value against the threshold.
void AddBand(Bands& b, bool started, double mastery, double threshold) {
  const double half = std::min(0.5, threshold);
  if (!started) {
    ++b.not_started;
  } else if (mastery >= threshold - 1e-9) {
    ++b.mastered;
  } else if (mastery >= half - 1e-9) {
    ++b.below_threshold;
  } else {
    ++b.below_half;
  }
}

bool ChapterStarted(const Derived& d, std::size_t ch) {
  for (std::size_t i = 0; i < d.exercises.size(); ++i) {
    if (d.exercises[i].chapter_index == ch && d.cells[i].responses > 0) return true;
  }
  return false;
}

// Band of `d` in chapter `ch`: its mean there (0 for a chapter with no exercise).
void AddChapterBand(Bands& b, const Derived& d, std::size_t ch, double threshold) {
  AddBand(b, ChapterStarted(d, ch), d.chapters[ch].value_or(0.0), threshold);
}

double CourseMastery(const std::vector<CellMastery>& cells) {
  if (cells.empty()) return 0.0;
  double sum = 0;
  for (const CellMastery& c : cells) sum += c.Value();
  return sum / static_cast<double>(cells.size());
}

Derived Derive(const Reference::AccountData& a, const domain::Course& course,
               const std::string& user, const TimeZone& zone) {
  const domain::CourseSettings& s = course.settings;
  Derived d;
  d.exercises = Flatten(course);
  d.cells.resize(d.exercises.size());
  d.enrolled_at = a.enrollments.at({user, course.key}).enrolled_at;

  std::vector<Placed> placed;
  for (const domain::Attempt& at : a.attempts) {
    if (at.user != user || at.course != course.key) continue;
    const std::optional<std::size_t> e = PositionOf(d.exercises, at.exercise);
    if (!e) continue;  // no longer in the catalog: kept, not counted
    Cell& cell = d.cells[*e];
    ++cell.attempts;
    cell.time_ms += DurationMs(at, s);
    if (!cell.last_attempt || *cell.last_attempt < at.started_at) cell.last_attempt = at.started_at;
    for (std::size_t i = 0; i < at.responses.size(); ++i) {
      const domain::Response& r = at.responses[i];
      ++cell.responses;
      if (r.correct) ++cell.correct;
      cell.hints += r.hints;
      cell.points += PointsOf(r, s);
      placed.push_back({&at, i, *e});
    }
  }
  std::sort(placed.begin(), placed.end(), SpecBefore);

  const std::size_t n = d.exercises.size();
  const double threshold = s.ResolvedThreshold();
  std::vector<CellMastery> mastery(n, CellMastery(s));
  std::vector<bool> answered(n, false);
  std::size_t answered_count = 0;
  std::map<const domain::Attempt*, std::size_t> seen;
  std::set<std::int64_t> days;
  std::vector<std::optional<Instant>> chapter_master(course.chapters.size());
  std::optional<Instant> flawless, streak;
  for (const Placed& p : placed) {
    const domain::Response& r = p.response();
    const Instant at = r.answered_at;
    mastery[p.exercise].Add(CreditOf(r));
    if (!answered[p.exercise]) {
      answered[p.exercise] = true;
      ++answered_count;
      if (answered_count == n) d.completed_at = at;
    }
    const bool completed = n > 0 && answered_count == n;
    const double course_mastery = CourseMastery(mastery);

    // SPEC §3.5: issue when completed and at the line, unless one is held at this response.
    const bool holding = !d.certifications.empty() && (!d.certifications.back().expires_at ||
                                                       at < *d.certifications.back().expires_at);
    if (!holding && completed && AtLeast(course_mastery, s.certification_mastery)) {
      Certification c{at, std::nullopt, false};
      if (s.certification_valid_days) {
        c.expires_at = Instant{at.ms + std::int64_t{*s.certification_valid_days} * kMsPerDay};
      }
      d.certifications.push_back(c);
    }

    for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
      if (chapter_master[ch] || course.chapters[ch].exercises.empty()) continue;
      bool all = true;
      for (std::size_t e = 0; e < n; ++e) {
        if (d.exercises[e].chapter_index == ch) all = all && AtLeast(mastery[e].Value(), threshold);
      }
      if (all) chapter_master[ch] = at;
    }

    if (++seen[p.attempt] == p.attempt->responses.size() && !flawless &&
        p.attempt->responses.size() >= 5) {
      bool clean = true;
      for (const domain::Response& x : p.attempt->responses) {
        clean = clean && x.correct && x.hints == 0;
      }
      if (clean) flawless = at;
    }

    days.insert(zone.LocalDay(at));
    if (!streak && HasRunOfFive(days)) streak = at;

    d.walk.emplace_back(MondayOf(zone.LocalDay(at)), course_mastery);
    if (!d.last_active || *d.last_active < at) d.last_active = at;
  }

  for (std::size_t e = 0; e < n; ++e) {
    Cell& cell = d.cells[e];
    cell.mastery = mastery[e].Value();
    d.responses += cell.responses;
    d.correct += cell.correct;
    d.points += cell.points;
    d.time_ms += cell.time_ms;
    d.attempts += cell.attempts;
    d.hints += cell.hints;
  }
  d.mastery = CourseMastery(mastery);
  d.progress = n == 0 ? 0.0 : static_cast<double>(answered_count) / static_cast<double>(n);
  if (d.responses > 0) {
    d.score = static_cast<double>(d.correct) / static_cast<double>(d.responses);
  }
  for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t e = 0; e < n; ++e) {
      if (d.exercises[e].chapter_index != ch) continue;
      sum += d.cells[e].mastery;
      ++count;
    }
    d.chapters.push_back(count == 0 ? std::nullopt
                                    : std::optional<double>(sum / static_cast<double>(count)));
  }
  for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
    if (chapter_master[ch]) {
      d.badges.push_back({"chapter-master:" + course.chapters[ch].key, *chapter_master[ch]});
    }
  }
  if (flawless) d.badges.push_back({"flawless", *flawless});
  if (d.completed_at) d.badges.push_back({"finisher", *d.completed_at});
  if (streak) d.badges.push_back({"streak-5", *streak});
  std::sort(d.badges.begin(), d.badges.end(), [](const Badge& x, const Badge& y) {
    if (x.awarded_at != y.awarded_at) return x.awarded_at < y.awarded_at;
    return CompareBytes(x.badge, y.badge) < 0;
  });
  return d;
}

TimeZone ZoneOf(const domain::Account& account) {
  std::optional<TimeZone> zone = TimeZone::Find(account.timezone);
  return zone ? *zone : TimeZone::Utc();
}

// A table cell for sorting: null, a number or text.
struct SortKey {
  bool null = false;
  bool text = false;
  double number = 0;
  std::string str;
};
SortKey Number(double v) { return {false, false, v, ""}; }
// Fractions (mastery, progress, score) compare at 1e-9: figures that are equal but summed in
// another order tie, and fall to name then key.
SortKey Num(double fraction) { return Number(std::round(fraction * 1e9)); }
SortKey Num(std::int64_t v) { return Number(static_cast<double>(v)); }
SortKey Num(bool v) { return Number(v ? 1.0 : 0.0); }
SortKey Num(const std::optional<double>& v) { return v ? Num(*v) : SortKey{true, false, 0, ""}; }
SortKey Num(const std::optional<Instant>& v) {
  return v ? Number(static_cast<double>(v->ms)) : SortKey{true, false, 0, ""};
}
SortKey Text(std::string_view v) { return {false, true, 0, std::string(v)}; }

int Compare(const SortKey& a, const SortKey& b) {
  if (a.text) return CompareBytes(a.str, b.str);
  if (a.number == b.number) return 0;
  return a.number < b.number ? -1 : 1;
}

// SPEC §3.8: by the column (nulls last in both directions), ties by name then key ascending.
template <typename Row>
void SortTable(std::vector<Row>& rows, const std::function<SortKey(const Row&)>& column,
               bool descending, const std::function<std::vector<std::string>(const Row&)>& ties) {
  std::sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) {
    const SortKey a = column(x), b = column(y);
    if (a.null != b.null) return !a.null;
    if (!a.null) {
      const int c = Compare(a, b);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    const std::vector<std::string> tx = ties(x), ty = ties(y);
    for (std::size_t i = 0; i < tx.size(); ++i) {
      const int c = CompareBytes(tx[i], ty[i]);
      if (c != 0) return c < 0;
    }
    return false;
  });
}

template <typename Row>
void Paginate(std::vector<Row>& rows, std::size_t offset, std::size_t limit) {
  std::vector<Row> page;
  for (std::size_t i = offset; i < rows.size() && page.size() < limit; ++i) page.push_back(rows[i]);
  rows = std::move(page);
}

std::optional<SortKey> LeagueColumn(const LeagueRow& r, std::string_view c) {
  if (c == "rank") return Num(r.rank);
  if (c == "user") return Text(r.user);
  if (c == "name") return Text(r.name);
  if (c == "email") return Text(r.email);
  if (c == "mastery") return Num(r.mastery);
  if (c == "progress") return Num(r.progress);
  if (c == "completed") return Num(r.completed);
  if (c == "completed_at") return Num(r.completed_at);
  if (c == "certified") return Num(r.certified);
  if (c == "certified_at") return Num(r.certified_at);
  if (c == "score") return Num(r.score);
  if (c == "points") return Num(r.points);
  if (c == "time") return Num(r.time_ms);
  if (c == "enrolled_at") return Num(r.enrolled_at);
  if (c == "last_active") return Num(r.last_active);
  if (c == "days_inactive") return Num(r.days_inactive);
  if (c == "not_started") return Num(r.not_started);
  if (c == "at_risk") return Num(r.at_risk);
  return std::nullopt;
}

std::optional<SortKey> GroupColumn(const GroupRow& r, std::string_view c) {
  if (c == "rank") return Num(r.rank);
  if (c == "group") return Text(r.group);
  if (c == "name") return Text(r.name);
  if (c == "users") return Num(r.users);
  if (c == "mastery") return Num(r.mastery);
  if (c == "completed") return Num(r.completed);
  if (c == "certified") return Num(r.certified);
  if (c == "at_risk") return Num(r.at_risk);
  if (c == "at_risk_share") return Num(r.at_risk_share);
  if (c == "score") return Num(r.score);
  if (c == "points") return Num(r.points);
  if (c == "time") return Num(r.time_ms);
  if (c == "completed_share") return Num(r.completed_share);
  if (c == "certified_share") return Num(r.certified_share);
  if (c == "avg_time") return Number(r.avg_time_ms);
  return std::nullopt;
}

std::optional<SortKey> ReportColumn(const ReportRow& r, std::string_view c) {
  if (c == "user") return Text(r.user);
  if (c == "name") return Text(r.name);
  if (c == "email") return Text(r.email);
  if (c == "course") return Text(r.course);
  if (c == "title") return Text(r.title);
  if (c == "mastery") return Num(r.mastery);
  if (c == "progress") return Num(r.progress);
  if (c == "completed_at") return Num(r.completed_at);
  if (c == "certified_at") return Num(r.certified_at);
  if (c == "score") return Num(r.score);
  if (c == "points") return Num(r.points);
  if (c == "time") return Num(r.time_ms);
  if (c == "attempts") return Num(r.attempts);
  if (c == "hints") return Num(r.hints);
  if (c == "at_risk") return Num(r.at_risk);
  if (c == "last_active") return Num(r.last_active);
  return std::nullopt;
}

// Rank = position by mastery descending, ties by name then key (null mastery last).
template <typename Row>
void Rank(std::vector<Row>& rows, const std::function<std::optional<double>(const Row&)>& mastery,
          const std::function<std::string(const Row&)>& key) {
  std::vector<Row> ordered = rows;
  SortTable<Row>(
      ordered, [&](const Row& r) { return Num(mastery(r)); }, true,
      [&](const Row& r) {
        return std::vector<std::string>{r.name, key(r)};
      });
  for (Row& r : rows) {
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      if (key(ordered[i]) == key(r)) r.rank = static_cast<std::int64_t>(i + 1);
    }
  }
}

Status UnknownColumn(const std::string& column) {
  return Status::Invalid("cannot sort by '" + column + "'");
}

}  // namespace

void Reference::PutAccount(const domain::Account& account) {
  accounts_[account.key].account = account;
}

const Reference::AccountData* Reference::Find(std::string_view account) const {
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : &it->second;
}

void Reference::Apply(std::string_view account, const domain::WriteBatch& batch, Instant now) {
  auto found = accounts_.find(account);
  if (found == accounts_.end()) return;
  AccountData& a = found->second;

  for (const domain::Group& g : batch.groups.items) a.groups[g.key] = {g.name, g.managers};
  for (const domain::Course& c : batch.courses.items) a.courses[c.key] = c;
  for (const domain::UserWrite& w : batch.users.items) {
    UserRecord u{w.user.name, w.user.email, w.user.active, {}};
    for (const std::string& g : w.user.groups) {
      if (a.groups.count(g) > 0) u.groups.push_back(g);
    }
    a.users[w.user.key] = u;
  }
  for (const domain::Enrollment& e : batch.enrollments.items) {
    if (a.users.count(e.user) == 0 || a.courses.count(e.course) == 0) continue;
    a.enrollments[{e.user, e.course}] = {e.enrolled_at.value_or(now), false};
  }
  for (const domain::Enrollment& e : batch.enrollment_removals.items) {
    a.enrollments.erase({e.user, e.course});
  }
  for (const domain::Attempt& at : batch.attempts.items) {
    if (HasAttempt(account, at.id)) continue;  // duplicate
    if (a.users.count(at.user) == 0) continue;
    auto course = a.courses.find(at.course);
    if (course == a.courses.end()) continue;
    if (!PositionOf(Flatten(course->second), at.exercise)) continue;
    a.attempts.push_back(at);
    auto e = a.enrollments.find({at.user, at.course});
    if (e == a.enrollments.end()) {
      Instant earliest = at.started_at;
      for (const domain::Attempt& other : a.attempts) {
        if (other.user == at.user && other.course == at.course && other.started_at < earliest) {
          earliest = other.started_at;
        }
      }
      a.enrollments[{at.user, at.course}] = {earliest, true};
    } else if (e->second.by_attempts && at.started_at < e->second.enrolled_at) {
      e->second.enrolled_at = at.started_at;
    }
  }
  for (const domain::UserRemoval& removal : batch.user_removals) {
    auto u = a.users.find(removal.user);
    if (u == a.users.end()) continue;
    if (!removal.erase) {
      u->second.active = false;
      continue;
    }
    a.users.erase(u);
    for (auto it = a.enrollments.begin(); it != a.enrollments.end();) {
      it = it->first.first == removal.user ? a.enrollments.erase(it) : std::next(it);
    }
    std::erase_if(a.attempts, [&](const domain::Attempt& at) { return at.user == removal.user; });
  }
}

bool Reference::HasAttempt(std::string_view account, std::string_view attempt_id) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return false;
  for (const domain::Attempt& at : a->attempts) {
    if (at.id == attempt_id) return true;
  }
  return false;
}

std::vector<domain::Attempt> Reference::Attempts(std::string_view account, std::string_view user,
                                                 std::string_view course) const {
  std::vector<domain::Attempt> out;
  const AccountData* a = Find(account);
  if (a == nullptr) return out;
  for (const domain::Attempt& at : a->attempts) {
    if (at.user == user && at.course == course) out.push_back(at);
  }
  return out;
}

std::vector<Reference::EnrollmentRecord> Reference::Enrollments(std::string_view account) const {
  std::vector<EnrollmentRecord> out;
  const AccountData* a = Find(account);
  if (a == nullptr) return out;
  for (const auto& [key, e] : a->enrollments) {
    out.push_back({key.first, key.second, e.enrolled_at, e.by_attempts});
  }
  return out;
}

std::vector<domain::User> Reference::Users(std::string_view account) const {
  std::vector<domain::User> out;
  const AccountData* a = Find(account);
  if (a == nullptr) return out;
  for (const auto& [key, u] : a->users) {
    domain::User user;
    user.key = key;
    user.name = u.name;
    user.email = u.email;
    user.groups = u.groups;
    user.active = u.active;
    out.push_back(user);
  }
  return out;
}

std::vector<domain::Group> Reference::Groups(std::string_view account) const {
  std::vector<domain::Group> out;
  const AccountData* a = Find(account);
  if (a == nullptr) return out;
  for (const auto& [key, g] : a->groups) out.push_back({key, g.name, g.managers});
  return out;
}

std::vector<domain::Course> Reference::Courses(std::string_view account) const {
  std::vector<domain::Course> out;
  const AccountData* a = Find(account);
  if (a == nullptr) return out;
  for (const auto& [key, c] : a->courses) out.push_back(c);
  return out;
}

Result<Table<AllCoursesRow>> Reference::AllCourses(
    std::string_view account, Instant now, const std::vector<std::string>* only_users) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  const TimeZone zone = ZoneOf(a->account);
  Table<AllCoursesRow> out;
  for (const auto& [course_key, course] : a->courses) {
    AllCoursesRow row;
    row.course = course_key;
    row.title = course.title;
    std::vector<double> masteries, scores;
    for (const auto& [key, e] : a->enrollments) {
      if (key.second != course_key) continue;
      const UserRecord& u = a->users.at(key.first);
      if (!u.active || !Allowed(only_users, key.first)) continue;
      const Derived d = Derive(*a, course, key.first, zone);
      ++row.users;
      masteries.push_back(d.mastery);
      if (d.score) scores.push_back(*d.score);
      if (d.HeldAt(now)) ++row.certified;
      if (d.completed_at) ++row.completed;
      if (d.AtRisk(course.settings, now)) ++row.at_risk;
    }
    if (row.users == 0) continue;
    row.mastery = MeanOf(masteries);
    row.score = MeanOf(scores);
    row.at_risk_share = static_cast<double>(row.at_risk) / static_cast<double>(row.users);
    out.rows.push_back(row);
  }
  SortTable<AllCoursesRow>(
      out.rows, [](const AllCoursesRow& r) { return Text(r.title); }, false,
      [](const AllCoursesRow& r) {
        return std::vector<std::string>{r.title, r.course};
      });
  out.total = out.rows.size();
  return out;
}

Result<CourseView> Reference::Course(std::string_view account, std::string_view course_key,
                                     Instant now,
                                     const std::vector<std::string>* only_users) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  auto found = a->courses.find(std::string(course_key));
  if (found == a->courses.end()) return Status::NotFound("no such course");
  const domain::Course& course = found->second;
  const TimeZone zone = ZoneOf(a->account);
  CourseView v;
  v.course = course.key;
  v.title = course.title;
  v.settings = course.settings;
  std::vector<Derived> counted;
  for (const auto& [key, e] : a->enrollments) {
    if (key.second != course.key) continue;
    if (!a->users.at(key.first).active || !Allowed(only_users, key.first)) continue;
    counted.push_back(Derive(*a, course, key.first, zone));
  }
  std::vector<double> masteries, scores;
  for (const Derived& d : counted) {
    ++v.users;
    masteries.push_back(d.mastery);
    if (d.score) scores.push_back(*d.score);
    if (d.HeldAt(now)) ++v.certified;
    if (d.completed_at) ++v.completed;
    if (d.AtRisk(course.settings, now)) ++v.at_risk;
    v.points += d.points;
    v.time_ms += d.time_ms;
  }
  v.mastery = MeanOf(masteries);
  v.score = MeanOf(scores);
  if (v.users > 0) {
    v.at_risk_share = static_cast<double>(v.at_risk) / static_cast<double>(v.users);
  }
  if (v.users > 0) v.avg_time_ms = static_cast<double>(v.time_ms) / static_cast<double>(v.users);
  const double threshold = course.settings.ResolvedThreshold();
  v.mastery_threshold = threshold;
  for (const Derived& d : counted) AddBand(v.bands, d.last_active.has_value(), d.mastery, threshold);
  for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
    std::vector<double> values;
    Bands bands;
    for (const Derived& d : counted) {
      if (d.chapters[ch]) values.push_back(*d.chapters[ch]);
      AddChapterBand(bands, d, ch, threshold);
    }
    v.chapters.push_back({course.chapters[ch].key, course.chapters[ch].title, MeanOf(values)});
    v.chapter_bands.push_back(bands);
  }
  // Weekly series (SPEC §3.8).
  std::optional<std::int64_t> first;
  for (const Derived& d : counted) {
    for (const auto& [week, m] : d.walk) {
      if (!first || week < *first) first = week;
    }
  }
  if (first) {
    const std::int64_t current = MondayOf(zone.LocalDay(now));
    for (std::int64_t week = *first; week <= current; week += 7) {
      std::vector<double> values;
      for (const Derived& d : counted) {
        if (MondayOf(zone.LocalDay(d.enrolled_at)) > week) continue;  // enrolled after week end
        values.push_back(d.MasteryAtWeek(week));
      }
      v.weekly.push_back({week, MeanOf(values)});
    }
  }
  return v;
}

Result<Table<LeagueRow>> Reference::UserLeague(std::string_view account,
                                               std::string_view course_key, const TableQuery& query,
                                               Instant now) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  auto found = a->courses.find(std::string(course_key));
  if (found == a->courses.end()) return Status::NotFound("no such course");
  if (query.group && a->groups.count(*query.group) == 0) return Status::NotFound("no such group");
  if (!LeagueColumn(LeagueRow{}, query.sort)) return UnknownColumn(query.sort);
  const domain::Course& course = found->second;
  const TimeZone zone = ZoneOf(a->account);
  Table<LeagueRow> out;
  for (const auto& [key, e] : a->enrollments) {
    if (key.second != course.key) continue;
    const UserRecord& u = a->users.at(key.first);
    if (u.active != query.active || !Allowed(query.only_users, key.first)) continue;
    if (query.group &&
        std::find(u.groups.begin(), u.groups.end(), *query.group) == u.groups.end()) {
      continue;
    }
    if (!PersonMatches(u.name, u.email, query.q)) continue;
    const Derived d = Derive(*a, course, key.first, zone);
    LeagueRow r;
    r.user = key.first;
    r.name = u.name;
    r.email = u.email;
    r.mastery = d.mastery;
    r.progress = d.progress;
    r.completed = d.completed_at.has_value();
    r.completed_at = d.completed_at;
    if (std::optional<Certification> held = d.HeldAt(now)) {
      r.certified = true;
      r.certified_at = held->issued_at;
    }
    r.score = d.score;
    r.points = d.points;
    r.time_ms = d.time_ms;
    r.last_active = d.last_active;
    r.enrolled_at = d.enrolled_at;
    r.not_started = !d.last_active.has_value();
    // Whole days idle: count the days one by one rather than divide.
    const Instant idle_since = d.last_active ? *d.last_active : d.enrolled_at;
    for (std::int64_t t = idle_since.ms + kMsPerDay; t <= now.ms; t += kMsPerDay) {
      ++r.days_inactive;
    }
    r.at_risk = d.AtRisk(course.settings, now);
    r.active = u.active;
    if (query.completed && r.completed != *query.completed) continue;
    if (query.certified && r.certified != *query.certified) continue;
    if (query.at_risk && r.at_risk != *query.at_risk) continue;
    out.rows.push_back(r);
  }
  out.total = out.rows.size();
  Rank<LeagueRow>(
      out.rows, [](const LeagueRow& r) { return std::optional<double>(r.mastery); },
      [](const LeagueRow& r) { return r.user; });
  SortTable<LeagueRow>(
      out.rows, [&](const LeagueRow& r) { return *LeagueColumn(r, query.sort); }, query.descending,
      [](const LeagueRow& r) {
        return std::vector<std::string>{r.name, r.user};
      });
  Paginate(out.rows, query.offset, query.limit);
  return out;
}

Result<Table<GroupRow>> Reference::GroupLeague(std::string_view account,
                                               std::string_view course_key, const TableQuery& query,
                                               Instant now,
                                               const std::vector<std::string>* only_groups) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  auto found = a->courses.find(std::string(course_key));
  if (found == a->courses.end()) return Status::NotFound("no such course");
  if (!GroupColumn(GroupRow{}, query.sort)) return UnknownColumn(query.sort);
  const domain::Course& course = found->second;
  const TimeZone zone = ZoneOf(a->account);
  Table<GroupRow> out;
  for (const auto& [group_key, group] : a->groups) {
    if (!Allowed(only_groups, group_key) || !NameMatches(group.name, query.q)) continue;
    GroupRow row;
    row.group = group_key;
    row.name = group.name;
    std::vector<double> masteries, scores;
    std::vector<std::vector<double>> chapter_values(course.chapters.size());
    const double threshold = course.settings.ResolvedThreshold();
    for (const auto& [key, e] : a->enrollments) {
      if (key.second != course.key) continue;
      const UserRecord& u = a->users.at(key.first);
      if (!u.active) continue;
      if (std::find(u.groups.begin(), u.groups.end(), group_key) == u.groups.end()) continue;
      const Derived d = Derive(*a, course, key.first, zone);
      ++row.users;
      masteries.push_back(d.mastery);
      if (d.completed_at) ++row.completed;
      if (d.HeldAt(now)) ++row.certified;
      if (d.AtRisk(course.settings, now)) ++row.at_risk;
      if (d.score) scores.push_back(*d.score);
      row.points += d.points;
      row.time_ms += d.time_ms;
      AddBand(row.bands, d.last_active.has_value(), d.mastery, threshold);
      for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
        if (d.chapters[ch]) chapter_values[ch].push_back(*d.chapters[ch]);
      }
    }
    if (row.users == 0) continue;
    row.mastery = MeanOf(masteries);
    row.score = MeanOf(scores);
    const auto users = static_cast<double>(row.users);
    row.at_risk_share = static_cast<double>(row.at_risk) / users;
    row.completed_share = static_cast<double>(row.completed) / users;
    row.certified_share = static_cast<double>(row.certified) / users;
    row.avg_time_ms = static_cast<double>(row.time_ms) / users;
    if (query.chapters) {
      for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
        row.chapters.push_back(
            {course.chapters[ch].key, course.chapters[ch].title, MeanOf(chapter_values[ch])});
      }
    }
    out.rows.push_back(row);
  }
  out.total = out.rows.size();
  Rank<GroupRow>(
      out.rows, [](const GroupRow& r) { return r.mastery; },
      [](const GroupRow& r) { return r.group; });
  SortTable<GroupRow>(
      out.rows, [&](const GroupRow& r) { return *GroupColumn(r, query.sort); }, query.descending,
      [](const GroupRow& r) {
        return std::vector<std::string>{r.name, r.group};
      });
  Paginate(out.rows, query.offset, query.limit);
  return out;
}

Result<UserCourseView> Reference::UserInCourse(std::string_view account,
                                               std::string_view course_key, std::string_view user,
                                               Instant now) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  auto found = a->courses.find(std::string(course_key));
  if (found == a->courses.end()) return Status::NotFound("no such course");
  const std::string user_key(user);
  if (a->enrollments.count({user_key, found->first}) == 0) {
    return Status::NotFound("not enrolled");
  }
  const domain::Course& course = found->second;
  const UserRecord& u = a->users.at(user_key);
  const Derived d = Derive(*a, course, user_key, ZoneOf(a->account));
  UserCourseView v;
  v.user = user_key;
  v.name = u.name;
  v.course = course.key;
  v.title = course.title;
  v.mastery = d.mastery;
  v.progress = d.progress;
  v.completed = d.completed_at.has_value();
  v.completed_at = d.completed_at;
  if (std::optional<Certification> held = d.HeldAt(now)) {
    v.certified = true;
    v.certified_at = held->issued_at;
  }
  v.score = d.score;
  v.points = d.points;
  v.time_ms = d.time_ms;
  v.attempts = d.attempts;
  v.hints = d.hints;
  v.last_active = d.last_active;
  v.at_risk = d.AtRisk(course.settings, now);
  v.enrolled_at = d.enrolled_at;
  v.certifications = d.certifications;
  v.badges = d.badges;
  for (std::size_t ch = 0; ch < course.chapters.size(); ++ch) {
    v.chapters.push_back({course.chapters[ch].key, course.chapters[ch].title, d.chapters[ch]});
  }
  const double threshold = course.settings.ResolvedThreshold();
  for (std::size_t e = 0; e < d.exercises.size(); ++e) {
    const Cell& cell = d.cells[e];
    ExerciseFigure f;
    f.exercise = d.exercises[e].key;
    f.title = d.exercises[e].title;
    f.chapter = d.exercises[e].chapter;
    f.chapter_title = course.chapters[d.exercises[e].chapter_index].title;
    f.mastery = cell.mastery;
    f.mastered = cell.responses > 0 && AtLeast(cell.mastery, threshold);
    if (cell.responses > 0) {
      f.score = static_cast<double>(cell.correct) / static_cast<double>(cell.responses);
    }
    f.attempts = cell.attempts;
    f.hints = cell.hints;
    if (cell.attempts > 0) {
      f.avg_time_ms = static_cast<double>(cell.time_ms) / static_cast<double>(cell.attempts);
    }
    f.last_attempt = cell.last_attempt;
    v.exercises.push_back(f);
  }
  return v;
}

Result<std::vector<HistoryRow>> Reference::History(std::string_view account,
                                                   std::string_view course_key,
                                                   std::string_view user,
                                                   std::string_view exercise) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  auto found = a->courses.find(std::string(course_key));
  if (found == a->courses.end()) return Status::NotFound("no such course");
  const std::string user_key(user);
  if (a->enrollments.count({user_key, found->first}) == 0) {
    return Status::NotFound("not enrolled");
  }
  const domain::Course& course = found->second;
  if (!PositionOf(Flatten(course), exercise)) return Status::NotFound("no such exercise");
  const domain::CourseSettings& s = course.settings;

  std::vector<const domain::Attempt*> mine;
  std::vector<Placed> placed;
  for (const domain::Attempt& at : a->attempts) {
    if (at.user != user_key || at.course != course.key || at.exercise != exercise) continue;
    mine.push_back(&at);
    for (std::size_t i = 0; i < at.responses.size(); ++i) placed.push_back({&at, i, 0});
  }
  std::sort(placed.begin(), placed.end(), SpecBefore);
  // The cell's mastery after the first k responses in SPEC order.
  std::vector<double> after_prefix{0.0};
  {
    CellMastery m(s);
    for (const Placed& p : placed) {
      m.Add(CreditOf(p.response()));
      after_prefix.push_back(m.Value());
    }
  }
  std::sort(mine.begin(), mine.end(), [](const domain::Attempt* x, const domain::Attempt* y) {
    if (x->started_at != y->started_at) return x->started_at < y->started_at;
    return CompareBytes(x->id, y->id) < 0;
  });
  std::vector<HistoryRow> rows;
  for (const domain::Attempt* at : mine) {
    HistoryRow row;
    row.attempt = at->id;
    row.started_at = at->started_at;
    row.duration_ms = DurationMs(*at, s);
    for (const domain::Response& r : at->responses) {
      ++row.responses;
      if (r.correct) {
        ++row.correct;
      } else {
        ++row.incorrect;
      }
      row.hints += r.hints;
      row.points += PointsOf(r, s);
      row.detail.push_back(
          {r.question, r.correct, r.hints, r.time_ms, r.answered_at, PointsOf(r, s)});
    }
    if (row.responses > 0) {
      row.score = static_cast<double>(row.correct) / static_cast<double>(row.responses);
    }
    // After the attempt's last response in SPEC order; with no responses, before its start.
    std::size_t prefix = 0;
    if (!at->responses.empty()) {
      for (std::size_t k = 0; k < placed.size(); ++k) {
        if (placed[k].attempt == at) prefix = k + 1;
      }
    } else {
      const domain::Response start{"", false, 0, 0, at->started_at, std::nullopt};
      domain::Attempt probe = *at;
      probe.responses = {start};
      const Placed here{&probe, 0, 0};
      for (const Placed& p : placed) {
        if (SpecBefore(p, here)) ++prefix;
      }
    }
    row.mastery_after = after_prefix[prefix];
    rows.push_back(row);
  }
  return rows;
}

Result<Table<ReportRow>> Reference::Report(std::string_view account, const TableQuery& query,
                                           Instant now) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  const std::string column = query.sort == "rank" ? "name" : query.sort;
  if (!ReportColumn(ReportRow{}, column)) return UnknownColumn(query.sort);
  if (query.course && a->courses.count(*query.course) == 0) {
    return Status::NotFound("no such course");
  }
  if (query.group && a->groups.count(*query.group) == 0) return Status::NotFound("no such group");
  const TimeZone zone = ZoneOf(a->account);
  Table<ReportRow> out;
  for (const auto& [key, e] : a->enrollments) {
    const UserRecord& u = a->users.at(key.first);
    if (!u.active || !Allowed(query.only_users, key.first) ||
        !PersonMatches(u.name, u.email, query.q)) {
      continue;
    }
    if (query.course && key.second != *query.course) continue;
    if (query.group &&
        std::find(u.groups.begin(), u.groups.end(), *query.group) == u.groups.end()) {
      continue;
    }
    const domain::Course& course = a->courses.at(key.second);
    const Derived d = Derive(*a, course, key.first, zone);
    const bool at_risk = d.AtRisk(course.settings, now);
    if (query.completed && d.completed_at.has_value() != *query.completed) continue;
    if (query.certified && d.HeldAt(now).has_value() != *query.certified) continue;
    if (query.at_risk && at_risk != *query.at_risk) continue;
    ReportRow row;
    row.user = key.first;
    row.name = u.name;
    row.email = u.email;
    row.groups = u.groups;
    std::sort(row.groups.begin(), row.groups.end());
    for (const std::string& g : row.groups) row.group_names.push_back(a->groups.at(g).name);
    row.at_risk = at_risk;
    row.course = course.key;
    row.title = course.title;
    row.mastery = d.mastery;
    row.progress = d.progress;
    row.completed_at = d.completed_at;
    if (std::optional<Certification> held = d.HeldAt(now)) row.certified_at = held->issued_at;
    row.score = d.score;
    row.points = d.points;
    row.time_ms = d.time_ms;
    row.attempts = d.attempts;
    row.hints = d.hints;
    row.last_active = d.last_active;
    out.rows.push_back(row);
  }
  out.total = out.rows.size();
  SortTable<ReportRow>(
      out.rows, [&](const ReportRow& r) { return *ReportColumn(r, column); }, query.descending,
      [](const ReportRow& r) {
        return std::vector<std::string>{r.name, r.user, r.course};
      });
  Paginate(out.rows, query.offset, query.limit);
  return out;
}

Result<ActivityView> Reference::Activity(std::string_view account, std::int64_t from_day,
                                         std::int64_t to_day, Instant now,
                                         const std::vector<std::string>* only_users) const {
  const AccountData* a = Find(account);
  if (a == nullptr) return Status::NotFound("no such account");
  const TimeZone zone = ZoneOf(a->account);
  ActivityView v;
  v.from_day = MondayOf(from_day);
  v.to_day = MondayOf(to_day);
  for (std::int64_t w = v.from_day; w <= v.to_day; w += 7) v.weeks.push_back({w, 0, 0, 0, 0, {}});
  const std::int64_t current = MondayOf(zone.LocalDay(now));
  auto index = [&](std::int64_t week) -> std::optional<std::size_t> {
    if (week < v.from_day || week > v.to_day) return std::nullopt;
    return static_cast<std::size_t>((week - v.from_day) / 7);
  };
  std::vector<double> masteries;
  std::int64_t completed = 0, certified = 0;
  std::map<std::string, std::set<std::int64_t>> active_weeks;  // person → weeks with a response
  std::set<std::string> learners;
  std::vector<std::vector<double>> at_week(v.weeks.size());
  for (const auto& [key, e] : a->enrollments) {
    if (!a->users.at(key.first).active || !Allowed(only_users, key.first)) continue;
    const domain::Course& course = a->courses.at(key.second);
    const Derived d = Derive(*a, course, key.first, zone);
    learners.insert(key.first);
    ++v.enrolments;
    masteries.push_back(d.mastery);
    if (d.completed_at) ++completed;
    if (d.HeldAt(now)) ++certified;
    if (d.AtRisk(course.settings, now)) ++v.at_risk;
    for (const auto& [week, m] : d.walk) active_weeks[key.first].insert(week);
    for (const domain::Attempt& at : a->attempts) {
      if (at.user != key.first || at.course != course.key) continue;
      if (!PositionOf(d.exercises, at.exercise)) continue;  // not counted
      if (auto i = index(MondayOf(zone.LocalDay(at.started_at)))) ++v.weeks[*i].attempts;
    }
    if (d.completed_at) {
      if (auto i = index(MondayOf(zone.LocalDay(*d.completed_at)))) ++v.weeks[*i].completions;
    }
    for (const Certification& c : d.certifications) {
      if (auto i = index(MondayOf(zone.LocalDay(c.issued_at)))) ++v.weeks[*i].certifications;
    }
    const std::int64_t enrolled_week = MondayOf(zone.LocalDay(d.enrolled_at));
    for (std::size_t i = 0; i < v.weeks.size(); ++i) {
      if (enrolled_week <= v.weeks[i].week_day) {
        at_week[i].push_back(d.MasteryAtWeek(v.weeks[i].week_day));
      }
    }
  }
  for (const auto& [user, weeks] : active_weeks) {
    for (const std::int64_t w : weeks) {
      if (auto i = index(w)) ++v.weeks[*i].active;
      if (w == current) ++v.active_this_week;
    }
  }
  for (std::size_t i = 0; i < v.weeks.size(); ++i) v.weeks[i].mastery = MeanOf(at_week[i]);
  v.learners = static_cast<std::int64_t>(learners.size());
  v.mastery = MeanOf(masteries);
  if (v.enrolments > 0) {
    v.completion_rate = static_cast<double>(completed) / static_cast<double>(v.enrolments);
    v.certification_rate = static_cast<double>(certified) / static_cast<double>(v.enrolments);
  }
  return v;
}

}  // namespace cohort::metrics::testing
