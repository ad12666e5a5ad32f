// One person's page (issue 20): their groups and, for each course they are enrolled in, the
// league's figures, certifications and badges — the enrollments read as the league reads them.
#include <algorithm>
#include <tuple>

#include "metrics/account_views.h"

namespace cohort::metrics {

PersonView PersonOf(const AccountState& a, int user, Instant now) {
  const UserState& u = a.users[static_cast<std::size_t>(user)];
  PersonView v;
  v.user = u.key;
  v.name = u.name;
  v.email = u.email;
  v.active = u.active;
  for (int g : u.groups) {
    const GroupState& gs = a.groups[static_cast<std::size_t>(g)];
    v.groups.push_back({gs.key, gs.name});
  }
  std::sort(v.groups.begin(), v.groups.end(),
            [](const GroupName& x, const GroupName& y) { return x.group < y.group; });
  for (const std::unique_ptr<CourseState>& cp : a.courses) {
    const CourseState& c = *cp;
    const Enrolled* e = c.Find(user);
    if (e == nullptr) continue;
    v.courses.push_back({c.key, c.title, c.shape.settings.ResolvedThreshold(),
                         MakeLeagueRow(a, *e, now)});
    for (const Certification& cert : e->state->certifications()) {
      v.certifications.push_back({c.key, c.title, cert});
    }
    for (const Certification& cert : e->imported) v.certifications.push_back({c.key, c.title, cert});
    for (Badge& b : e->state->Badges(c.shape, c.chapter_keys)) {
      PersonBadge pb{c.key, c.title, std::move(b), std::nullopt};
      // A chapter's badge ("chapter-master:<chapter>") names its chapter's title too.
      if (const std::size_t colon = pb.badge.badge.find(':'); colon != std::string::npos) {
        const std::string_view chapter = std::string_view(pb.badge.badge).substr(colon + 1);
        for (std::size_t ch = 0; ch < c.chapter_keys.size(); ++ch) {
          if (c.chapter_keys[ch] == chapter) pb.chapter_title = c.chapter_titles[ch];
        }
      }
      v.badges.push_back(std::move(pb));
    }
  }
  std::sort(v.courses.begin(), v.courses.end(), [](const PersonCourse& x, const PersonCourse& y) {
    return std::tie(x.title, x.course) < std::tie(y.title, y.course);
  });
  std::sort(v.certifications.begin(), v.certifications.end(),
            [](const PersonCertification& x, const PersonCertification& y) {
              return std::tie(x.certification.issued_at, x.course) <
                     std::tie(y.certification.issued_at, y.course);
            });
  std::sort(v.badges.begin(), v.badges.end(), [](const PersonBadge& x, const PersonBadge& y) {
    return std::tie(x.badge.awarded_at, x.course, x.badge.badge) <
           std::tie(y.badge.awarded_at, y.course, y.badge.badge);
  });
  return v;
}

}  // namespace cohort::metrics
