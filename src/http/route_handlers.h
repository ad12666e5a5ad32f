#pragma once

#include "http/routes.h"

// The handlers of the API's route table (api.cc), one per route. Each gets a request already
// matched and, unless its route reads no credential, authenticated (RouteCall::caller); it reads
// its input, calls the service and renders the answer. Thread-safe: no state of their own.
namespace cohort::http {

// view_routes.cc — the views of SPEC §4.1; format=csv|xlsx (or Accept) answers a spreadsheet.
Response AllCoursesView(const RouteCall& call);    // GET /api/v1/courses
Response CourseView(const RouteCall& call);        // GET /api/v1/courses/{course}
Response UserLeagueView(const RouteCall& call);    // GET /api/v1/courses/{course}/users
Response GroupLeagueView(const RouteCall& call);   // GET /api/v1/courses/{course}/groups
Response GroupInCourseView(const RouteCall& call);  // GET /api/v1/courses/{course}/groups/{group}
Response UserInCourseView(const RouteCall& call);  // GET /api/v1/courses/{course}/users/{user}
Response GroupsView(const RouteCall& call);        // GET /api/v1/groups
Response PersonView(const RouteCall& call);        // GET /api/v1/users/{user}
Response ActivityView(const RouteCall& call);      // GET /api/v1/activity
Response HistoryView(const RouteCall& call);  // GET .../users/{user}/exercises/{exercise}/attempts
Response ReportView(const RouteCall& call);   // GET /api/v1/report
Response ColumnsView(const RouteCall& call);  // GET /api/v1/columns (the declared columns)

// write_routes.cc — the writes of SPEC §2.
Response PostAttempts(const RouteCall& call);      // POST /api/v1/attempts
Response PutCourse(const RouteCall& call);         // PUT /api/v1/courses/{course}
Response PutUser(const RouteCall& call);           // PUT /api/v1/users/{user}
Response DeleteUser(const RouteCall& call);        // DELETE /api/v1/users/{user}[?erase=true]
Response PutGroup(const RouteCall& call);          // PUT /api/v1/groups/{group}
Response PutEnrollment(const RouteCall& call);     // PUT /api/v1/enrollments/{user}/{course}
Response DeleteEnrollment(const RouteCall& call);  // DELETE /api/v1/enrollments/{user}/{course}

// auth_routes.cc — who is calling, sessions, API tokens and awards (SPEC §5, §9).
Response WhoAmI(const RouteCall& call);          // GET /api/v1/whoami
Response SignIn(const RouteCall& call);          // POST /api/v1/session
Response GetSession(const RouteCall& call);      // GET /api/v1/session
Response SignOut(const RouteCall& call);         // DELETE /api/v1/session
Response ChangePassword(const RouteCall& call);  // POST /api/v1/session/password
Response ListTokens(const RouteCall& call);      // GET /api/v1/tokens
Response CreateToken(const RouteCall& call);     // POST /api/v1/tokens
Response RevokeToken(const RouteCall& call);     // DELETE /api/v1/tokens/{id}
Response GrantAward(const RouteCall& call);      // POST /api/v1/awards
Response RevokeAward(const RouteCall& call);     // DELETE /api/v1/awards/{id}

}  // namespace cohort::http
