// The course view (SPEC §4.1 view 2): headline figures, the chapter breakdown and the weekly
// series, from the course's running totals, or over a manager's members.
#include <algorithm>
#include <string>

#include "metrics/account_views.h"
#include "metrics/exact_sum.h"

namespace cohort::metrics {
namespace {

// The Course view for everyone, from the course's running totals.
CourseView CourseFromTotals(const AccountState& a, const CourseState& c, Instant now,
                            CourseView v) {
  const CourseTotals& t = c.totals;
  v.users = t.users;
  v.mastery = t.mastery.Mean(t.users);
  v.certified = t.Certified(now);
  v.completed = t.completed;
  v.at_risk = t.AtRisk(now);
  if (v.users > 0) v.at_risk_share = ShareOf(v.at_risk, v.users);
  v.score = t.score.Mean(t.scored);
  v.points = t.points;
  v.time_ms = t.time_ms;
  if (v.users > 0) v.avg_time_ms = static_cast<double>(v.time_ms) / static_cast<double>(v.users);
  v.bands = BandsOf(t.bands);
  for (std::size_t ch = 0; ch < c.chapter_keys.size(); ++ch) {
    ChapterFigure f{c.chapter_keys[ch], c.chapter_titles[ch], std::nullopt};
    if (!c.shape.chapter_slots[ch].empty()) {
      f.mastery = ch < t.chapters.size() ? t.chapters[ch].Mean(v.users) : ExactSum().Mean(v.users);
    }
    v.chapters.push_back(std::move(f));
    // A chapter no counted user's share reached yet: everyone is not started in it.
    v.chapter_bands.push_back(ch < t.chapter_bands.size() ? BandsOf(t.chapter_bands[ch])
                                                          : Bands{v.users, 0, 0, 0});
  }
  // The weekly series (SPEC §3.8) from the week of the earliest response to the current one.
  if (t.first_weeks.empty()) return v;
  const std::int64_t first = t.first_weeks.begin()->first;
  const std::int64_t current = WeekOfLocalDay(a.zone->LocalDay(now));
  if (current < first) return v;
  v.weekly.reserve(static_cast<std::size_t>((current - first) / 7 + 1));
  ExactSum sum;
  std::int64_t counted = 0;
  auto next = t.weeks.begin();
  for (std::int64_t week = first; week <= current; week += 7) {
    for (; next != t.weeks.end() && next->first <= week; ++next) {
      sum.Add(next->second.change);
      counted += next->second.joined;
    }
    v.weekly.push_back({week, sum.Mean(counted)});
  }
  return v;
}

// The Course view over some members' enrollments (exact sums: in any order).
CourseView CourseOfMembers(const AccountState& a, const CourseState& c, Instant now,
                           const std::vector<std::string>& only_users, CourseView v) {
  std::vector<ExactSum> chapter_sum(c.chapter_keys.size());
  std::vector<std::array<std::int64_t, kBandCount>> chapter_bands(c.chapter_keys.size());
  std::array<std::int64_t, kBandCount> bands{};
  const double threshold = c.shape.settings.ResolvedThreshold();
  const std::vector<const Enrolled*> counted = ActiveMembers(a, c, MemberIndexes(a, only_users));
  MemberSums members;
  for (const Enrolled* member : counted) members.Add(*member, now);
  v.users = members.users;
  v.mastery = members.mastery.Mean(members.users);
  v.certified = members.certified;
  v.completed = members.completed;
  v.at_risk = members.at_risk;
  if (v.users > 0) v.at_risk_share = ShareOf(v.at_risk, v.users);
  v.score = members.score.Mean(members.scored);
  v.points = members.points;
  v.time_ms = members.time_ms;
  if (v.users > 0) v.avg_time_ms = static_cast<double>(v.time_ms) / static_cast<double>(v.users);
  // Weekly series (SPEC §3.8), from the week of the earliest response.
  std::optional<std::int64_t> first;
  for (const Enrolled* e : counted) {
    const std::optional<std::int64_t>& w = e->summary.first_week;
    if (w && (!first || *w < *first)) first = w;
  }
  const std::int64_t current = WeekOfLocalDay(a.zone->LocalDay(now));
  const std::size_t weeks =
      first && current >= *first ? static_cast<std::size_t>((current - *first) / 7 + 1) : 0;
  std::vector<ExactSum> change(weeks);
  std::vector<std::int64_t> joined(weeks, 0);
  // One pass over the users' own arrays (chapter sums, weekly steps), fetched a few users ahead:
  // they sit behind two pointers, and waiting for memory is most of this view's time.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < counted.size(); ++i) {
    if (i + kAhead < counted.size()) __builtin_prefetch(counted[i + kAhead]->state.get());
    if (i + kAhead / 2 < counted.size()) counted[i + kAhead / 2]->state->PrefetchForViews();
    const UserCourse& uc = *counted[i]->state;
    const UserCourse::Summary& sm = counted[i]->summary;
    ++bands[static_cast<std::size_t>(
        BandOf(sm.last_active_ms.has_value(), sm.mastery, threshold))];
    for (std::size_t ch = 0; ch < chapter_sum.size(); ++ch) {
      const std::size_t n = c.shape.chapter_slots[ch].size();
      const double mean = MeanFraction(uc.ChapterSum(ch), n);
      chapter_sum[ch].Add(mean);
      ++chapter_bands[ch][static_cast<std::size_t>(BandOf(uc.ChapterStarted(ch), mean, threshold))];
    }
    if (weeks == 0) continue;
    // Each user's mastery at the end of week w is a step function of w; the series adds up
    // its changes (exactly: ExactSum is integer arithmetic), O(users × steps + weeks). A user
    // counts from the week they enrolled (the series' first week at the earliest).
    const std::int64_t enrolled_week = counted[i]->summary.enrolled_week;
    const std::size_t from =
        enrolled_week <= *first ? 0 : static_cast<std::size_t>((enrolled_week - *first) / 7);
    if (from >= weeks) continue;
    ++joined[from];
    double value = 0;  // after the step being walked
    double start = 0;  // at the end of week `from`
    uc.ForEachWeekStep([&](std::int64_t week_day, double at_week_end) {
      const auto w = static_cast<std::size_t>((week_day - *first) / 7);
      if (w >= weeks) return;
      if (w > from) {
        change[w].Add(at_week_end);
        change[w].Add(-value);
      } else {
        start = at_week_end;
      }
      value = at_week_end;
    });
    change[from].Add(start);
  }
  v.bands = BandsOf(bands);
  for (std::size_t ch = 0; ch < chapter_sum.size(); ++ch) {
    ChapterFigure f{c.chapter_keys[ch], c.chapter_titles[ch], std::nullopt};
    if (!c.shape.chapter_slots[ch].empty()) f.mastery = chapter_sum[ch].Mean(v.users);
    v.chapters.push_back(std::move(f));
    v.chapter_bands.push_back(BandsOf(chapter_bands[ch]));
  }
  if (weeks > 0) {
    std::vector<ExactSum> sums(weeks);
    std::vector<std::int64_t> counts(weeks, 0);
    for (std::size_t w = 0; w < weeks; ++w) {
      if (w > 0) {
        sums[w] = sums[w - 1];
        counts[w] = counts[w - 1];
      }
      sums[w].Add(change[w]);
      counts[w] += joined[w];
    }
    for (std::size_t w = 0; w < weeks; ++w) {
      v.weekly.push_back({*first + static_cast<std::int64_t>(w) * 7, sums[w].Mean(counts[w])});
    }
  }
  return v;
}

}  // namespace

CourseView CourseOf(const AccountState& a, const CourseState& c, Instant now,
                    const std::vector<std::string>* only_users) {
  CourseView v;
  v.course = c.key;
  v.title = c.title;
  v.settings = c.shape.settings;
  v.mastery_threshold = c.shape.settings.ResolvedThreshold();
  if (only_users == nullptr) return CourseFromTotals(a, c, now, std::move(v));
  return CourseOfMembers(a, c, now, *only_users, std::move(v));
}

Result<GroupCourseView> GroupCourseOf(const AccountState& a, const CourseState& c,
                                      std::string_view group, Instant now,
                                      const std::vector<std::string>* only_users) {
  auto g = a.group_of.find(std::string(group));
  if (g == a.group_of.end()) return Status::NotFound("group '" + std::string(group) + "' is unknown");
  const KeyFilter only(only_users);
  std::vector<std::string> members;
  for (const UserState& u : a.users) {
    if (std::binary_search(u.groups.begin(), u.groups.end(), g->second) && only.Allows(u.key)) {
      members.push_back(u.key);
    }
  }
  GroupCourseView out;
  out.group = a.groups[static_cast<std::size_t>(g->second)].key;
  out.name = a.groups[static_cast<std::size_t>(g->second)].name;
  out.figures = CourseOf(a, c, now, &members);
  return out;
}

}  // namespace cohort::metrics
