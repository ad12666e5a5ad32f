#include "metrics/view_helpers.h"

namespace cohort::metrics {

const AccountState* FindAccountState(const Engine::State& s, std::string_view key) {
  auto it = s.accounts.find(std::string(key));
  return it == s.accounts.end() ? nullptr : it->second.get();
}

const CourseState* FindCourseState(const AccountState& a, std::string_view key) {
  auto it = a.course_of.find(std::string(key));
  return it == a.course_of.end() ? nullptr : a.courses[static_cast<std::size_t>(it->second)].get();
}

LeagueRow MakeLeagueRow(const AccountState& a, const Enrolled& e, Instant now) {
  const UserState& u = a.users[static_cast<std::size_t>(e.user)];
  const UserCourse::Summary& sm = e.summary;
  LeagueRow r;
  r.user = u.key;
  r.name = u.name;
  r.email = u.email;
  r.mastery = sm.mastery;
  r.progress = sm.progress;
  if (sm.completed_ms) r.completed_at = Instant{*sm.completed_ms};
  r.completed = r.completed_at.has_value();
  if (std::optional<Certification> held = HeldFast(e, now)) {
    r.certified = true;
    r.certified_at = held->issued_at;
  }
  const Pooled& p = PoolOf(e);
  r.score = p.score();
  r.points = p.points;
  r.time_ms = p.time_ms;
  r.enrolled_at = Instant{sm.enrolled_ms};
  if (sm.last_active_ms) r.last_active = Instant{*sm.last_active_ms};
  r.days_inactive = DaysInactive(e, now);
  r.not_started = !sm.last_active_ms.has_value();
  r.at_risk = AtRiskFast(e, now);
  r.active = u.active;
  return r;
}

std::vector<int> MemberIndexes(const AccountState& a, const std::vector<std::string>& keys) {
  std::vector<int> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    auto it = a.user_of.find(key);
    if (it != a.user_of.end()) out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<const Enrolled*> ActiveMembers(const AccountState& a, const CourseState& c,
                                           const std::vector<int>& members) {
  std::vector<const Enrolled*> out;
  for (int u : members) {
    const Enrolled* e = c.Find(u);
    if (e != nullptr && a.users[static_cast<std::size_t>(u)].active) out.push_back(e);
  }
  return out;
}

}  // namespace cohort::metrics
