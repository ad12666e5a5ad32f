// All courses (SPEC §4.1 view 1): one row per course with an enrolled active user.
#include <string>

#include "metrics/account_views.h"

namespace cohort::metrics {

Table<AllCoursesRow> AllCoursesOf(const AccountState& a, Instant now,
                                  const std::vector<std::string>* only_users) {
  Table<AllCoursesRow> out;
  if (only_users == nullptr) {
    // Everyone: each course's running totals, O(courses · log users).
    for (const auto& cp : a.courses) {
      const CourseTotals& t = cp->totals;
      if (t.users == 0) continue;
      const std::int64_t at_risk = t.AtRisk(now);
      out.rows.push_back({cp->key, cp->title, t.users, t.mastery.Mean(t.users), t.Certified(now),
                          t.completed, at_risk, ShareOf(at_risk, t.users), t.score.Mean(t.scored),
                          {}});
    }
  } else {
    // A manager's members: their enrollments, course by course (the sums are exact, so the
    // order they are added in does not matter).
    const std::vector<int> members = MemberIndexes(a, *only_users);
    for (const auto& cp : a.courses) {
      const CourseState& c = *cp;
      MemberSums sums;
      for (const Enrolled* member : ActiveMembers(a, c, members)) sums.Add(*member, now);
      if (sums.users == 0) continue;
      AllCoursesRow row{c.key,
                        c.title,
                        sums.users,
                        sums.mastery.Mean(sums.users),
                        sums.certified,
                        sums.completed,
                        sums.at_risk,
                        ShareOf(sums.at_risk, sums.users),
                        sums.score.Mean(sums.scored),
                        {}};
      out.rows.push_back(std::move(row));
    }
  }
  out.total = out.rows.size();
  // By title: a declared sortable column, so this cannot fail.
  (void)SortRows(out.rows, kAllCoursesColumns, "title", false);
  return out;
}

Status ArrangeAllCourses(Table<AllCoursesRow>& table, const TableQuery& query) {
  if (!query.q.empty()) {
    const FoldedSearch search(query.q);
    std::erase_if(table.rows, [&](const AllCoursesRow& r) {
      return !search.Matches(r.title) && !search.Matches(r.course);
    });
  }
  table.total = table.rows.size();
  // TableQuery's default sort, "rank", is the view's default order here: by title.
  const std::string_view sort = query.sort == "rank" ? std::string_view("title") : query.sort;
  return SortRows(table.rows, kAllCoursesColumns, sort, query.descending, query.offset,
                  query.limit);
}

}  // namespace cohort::metrics
