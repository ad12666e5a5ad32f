// The user-in-course view (SPEC §4.1 view 4): one enrollment's figures, certifications, badges,
// chapter breakdown and exercise summary, read from its cells.
#include <algorithm>

#include "metrics/account_views.h"

namespace cohort::metrics {
namespace {

std::optional<double> ChapterMastery(const CourseState& c, const UserCourse& uc, std::size_t ch) {
  const std::vector<int>& slots = c.shape.chapter_slots[ch];
  if (slots.empty()) return std::nullopt;
  double sum = 0;
  for (int slot : slots)
    sum += uc.Cell(static_cast<std::size_t>(slot)).mastery.Value(c.shape.settings);
  return sum / static_cast<double>(slots.size());
}

// The exercise summary's row of one live exercise (`slot`).
ExerciseFigure ExerciseOf(const CourseState& c, const UserCourse& uc, int slot, double threshold) {
  const ExerciseCell& cell = uc.Cell(static_cast<std::size_t>(slot));
  ExerciseFigure f;
  f.exercise = c.slot_keys[static_cast<std::size_t>(slot)];
  f.title = c.slot_titles[static_cast<std::size_t>(slot)];
  const auto chapter =
      static_cast<std::size_t>(c.shape.chapter_of_slot[static_cast<std::size_t>(slot)]);
  f.chapter = c.chapter_keys[chapter];
  f.chapter_title = c.chapter_titles[chapter];
  f.mastery = cell.mastery.Value(c.shape.settings);
  f.mastered = cell.responses > 0 && MeetsThreshold(f.mastery, threshold);
  if (cell.responses > 0) {
    f.score = static_cast<double>(cell.correct) / static_cast<double>(cell.responses);
  }
  f.attempts = cell.attempts;
  f.hints = cell.hints;
  if (cell.attempts > 0) {
    f.avg_time_ms = static_cast<double>(cell.time_ms) / static_cast<double>(cell.attempts);
    f.last_attempt = Instant{cell.last_started_ms};
  }
  return f;
}

}  // namespace

UserCourseView UserInCourseOf(const AccountState& a, const CourseState& c, const Enrolled& e,
                              Instant now) {
  const LeagueRow r = MakeLeagueRow(a, e, now);
  const Pooled p = e.state->totals();
  UserCourseView v;
  v.user = r.user;
  v.name = r.name;
  v.course = c.key;
  v.title = c.title;
  v.mastery = r.mastery;
  v.progress = r.progress;
  v.mastery_threshold = c.shape.settings.ResolvedThreshold();
  v.completed = r.completed;
  v.completed_at = r.completed_at;
  v.certified = r.certified;
  v.certified_at = r.certified_at;
  v.score = r.score;
  v.points = r.points;
  v.time_ms = r.time_ms;
  v.attempts = p.attempts;
  v.hints = p.hints;
  v.last_active = r.last_active;
  v.at_risk = r.at_risk;
  v.enrolled_at = e.state->enrolled_at;
  v.certifications = e.state->certifications();
  for (const Certification& cert : e.imported) v.certifications.push_back(cert);
  std::sort(
      v.certifications.begin(), v.certifications.end(),
      [](const Certification& x, const Certification& y) { return x.issued_at < y.issued_at; });
  v.badges = e.state->Badges(c.shape, c.chapter_keys);
  for (std::size_t ch = 0; ch < c.chapter_keys.size(); ++ch) {
    v.chapters.push_back(
        {c.chapter_keys[ch], c.chapter_titles[ch], ChapterMastery(c, *e.state, ch)});
  }
  const double threshold = c.shape.settings.ResolvedThreshold();
  for (int slot : c.shape.live_slots) {
    v.exercises.push_back(ExerciseOf(c, *e.state, slot, threshold));
  }
  return v;
}

Result<std::size_t> ArrangeExercises(std::vector<ExerciseFigure>& rows, const TableQuery& query) {
  const FoldedSearch search(query.q);
  return FilterSortPage(rows, kExerciseColumns, OwnOrderOr(query.sort), query.descending,
                        query.offset,
                        query.limit, [&](const ExerciseFigure& r) {
                          return search.Matches(r.title) &&
                                 (!query.mastered || r.mastered == *query.mastered) &&
                                 (!query.chapter || r.chapter == *query.chapter);
                        });
}

}  // namespace cohort::metrics
