#include "export_test_support.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "openapi_record.h"

namespace cohort::testing {

using nlohmann::json;

std::optional<CsvRecords> ParseRfc4180(std::string_view text) {
  CsvRecords records;
  std::vector<std::string> record;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    std::string field;
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= n) return std::nullopt;  // unterminated quote
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < n && text[i] != ',' && text[i] != '\r') {
        if (text[i] == '"' || text[i] == '\n') return std::nullopt;
        field += text[i++];
      }
    }
    record.push_back(std::move(field));
    if (i < n && text[i] == ',') {
      ++i;
      if (i == n) return std::nullopt;  // a record cannot end with a separator and no CRLF
      continue;
    }
    if (i + 1 < n && text[i] == '\r' && text[i + 1] == '\n') {
      i += 2;
      records.push_back(std::move(record));
      record.clear();
      continue;
    }
    return std::nullopt;  // text after a closing quote, a bare CR, or no CRLF at the end
  }
  if (!record.empty()) return std::nullopt;
  return records;
}

std::vector<ExportColumn> AllCoursesColumns() {
  return {{"Course", "course", Shown::kText},          {"Title", "title", Shown::kText},
          {"Users", "users", Shown::kInteger},         {"Mastery %", "mastery", Shown::kPercent},
          {"Certified", "certified", Shown::kInteger}, {"Completed", "completed", Shown::kInteger},
          {"At risk", "at_risk", Shown::kInteger},     {"At risk %", "at_risk_share", Shown::kPercent},
          {"Score %", "score", Shown::kPercent}};
}

std::vector<ExportColumn> CourseColumns() {
  return {{"Row", "row", Shown::kText},
          {"Key", "key", Shown::kText},
          {"Title", "title", Shown::kText},
          {"Users", "users", Shown::kInteger},
          {"Mastery %", "mastery", Shown::kPercent},
          {"Certified", "certified", Shown::kInteger},
          {"Completed", "completed", Shown::kInteger},
          {"At risk", "at_risk", Shown::kInteger},
          {"At risk %", "at_risk_share", Shown::kPercent},
          {"Score %", "score", Shown::kPercent},
          {"Points", "points", Shown::kInteger},
          {"Time (s)", "time", Shown::kSeconds},
          {"Time", "time", Shown::kHms},
          {"Avg time (s)", "avg_time", Shown::kSeconds},
          {"Avg time", "avg_time", Shown::kHms}};
}

std::vector<ExportColumn> LeagueColumns() {
  return {{"Rank", "rank", Shown::kInteger},
          {"User", "user", Shown::kText},
          {"Name", "name", Shown::kText},
          {"Email", "email", Shown::kText},
          {"Mastery %", "mastery", Shown::kPercent},
          {"Progress %", "progress", Shown::kPercent},
          {"Completed", "completed", Shown::kBoolean},
          {"Completed at", "completed_at", Shown::kTime},
          {"Certified", "certified", Shown::kBoolean},
          {"Certified at", "certified_at", Shown::kTime},
          {"Score %", "score", Shown::kPercent},
          {"Points", "points", Shown::kInteger},
          {"Time (s)", "time", Shown::kSeconds},
          {"Time", "time", Shown::kHms},
          {"Enrolled at", "enrolled_at", Shown::kTime},
          {"Last active", "last_active", Shown::kTime},
          {"Days inactive", "days_inactive", Shown::kInteger},
          {"Not started", "not_started", Shown::kBoolean},
          {"At risk", "at_risk", Shown::kBoolean}};
}

std::vector<ExportColumn> GroupColumns() {
  return {{"Rank", "rank", Shown::kInteger},
          {"Group", "group", Shown::kText},
          {"Name", "name", Shown::kText},
          {"Users", "users", Shown::kInteger},
          {"Mastery %", "mastery", Shown::kPercent},
          {"Completed", "completed", Shown::kInteger},
          {"Certified", "certified", Shown::kInteger},
          {"At risk", "at_risk", Shown::kInteger},
          {"At risk %", "at_risk_share", Shown::kPercent},
          {"Completed %", "completed_share", Shown::kPercent},
          {"Certified %", "certified_share", Shown::kPercent},
          {"Score %", "score", Shown::kPercent},
          {"Points", "points", Shown::kInteger},
          {"Time (s)", "time", Shown::kSeconds},
          {"Time", "time", Shown::kHms},
          {"Time per member (s)", "avg_time", Shown::kSeconds},
          {"Time per member", "avg_time", Shown::kHms}};
}

std::vector<ExportColumn> UserColumns() {
  return {{"Exercise", "exercise", Shown::kText},        {"Title", "title", Shown::kText},
          {"Chapter", "chapter", Shown::kText},          {"Chapter title", "chapter_title", Shown::kText},
          {"Mastery %", "mastery", Shown::kPercent},
          {"Mastered", "mastered", Shown::kBoolean},     {"Score %", "score", Shown::kPercent},
          {"Attempts", "attempts", Shown::kInteger},     {"Hints", "hints", Shown::kInteger},
          {"Avg time (s)", "avg_time", Shown::kSeconds}, {"Avg time", "avg_time", Shown::kHms},
          {"Last attempt", "last_attempt", Shown::kTime}};
}

std::vector<ExportColumn> HistoryColumns() {
  return {{"Attempt", "attempt", Shown::kText},
          {"Started at", "started_at", Shown::kTime},
          {"Duration (s)", "duration", Shown::kSeconds},
          {"Duration", "duration", Shown::kHms},
          {"Responses", "responses", Shown::kInteger},
          {"Correct", "correct", Shown::kInteger},
          {"Incorrect", "incorrect", Shown::kInteger},
          {"Hints", "hints", Shown::kInteger},
          {"Score %", "score", Shown::kPercent},
          {"Points", "points", Shown::kInteger},
          {"Mastery after %", "mastery_after", Shown::kPercent}};
}

std::vector<ExportColumn> ReportColumns() {
  return {{"User", "user", Shown::kText},
          {"Name", "name", Shown::kText},
          {"Email", "email", Shown::kText},
          {"Group keys", "groups", Shown::kGroups},
          {"Groups", "group_names", Shown::kGroups},
          {"Course", "course", Shown::kText},
          {"Title", "title", Shown::kText},
          {"Mastery %", "mastery", Shown::kPercent},
          {"Progress %", "progress", Shown::kPercent},
          {"Completed at", "completed_at", Shown::kTime},
          {"Certified at", "certified_at", Shown::kTime},
          {"Score %", "score", Shown::kPercent},
          {"Points", "points", Shown::kInteger},
          {"Time (s)", "time", Shown::kSeconds},
          {"Time", "time", Shown::kHms},
          {"Attempts", "attempts", Shown::kInteger},
          {"Hints", "hints", Shown::kInteger},
          {"Last active", "last_active", Shown::kTime},
          {"At risk", "at_risk", Shown::kBoolean}};
}

json CourseRowsJson(const json& course) {
  json rows = json::array();
  json head = course;
  head["row"] = "course";
  head["key"] = course["course"];
  rows.push_back(head);
  for (const json& ch : course["chapters"]) {
    rows.push_back({{"row", "chapter"},
                    {"key", ch["chapter"]},
                    {"title", ch["title"]},
                    {"mastery", ch["mastery"]}});
  }
  for (const json& w : course["weekly"]) {
    rows.push_back({{"row", "week"}, {"key", w["week"]}, {"mastery", w["mastery"]}});
  }
  return rows;
}

namespace {

std::string Guarded(const std::string& text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    return "'" + text;
  }
  return text;
}

bool IsDecimal(const std::string& s, int min_decimals, int max_decimals) {
  const std::size_t dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string::npos) return false;
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
  if (dot != std::string::npos &&
      s.substr(dot + 1).find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  return decimals >= min_decimals && decimals <= max_decimals;
}

void ExpectCell(const std::string& cell, const json& v, Shown shown, const std::string& where) {
  if (v.is_null()) {
    EXPECT_EQ(cell, "") << where;
    return;
  }
  switch (shown) {
    case Shown::kText:
      EXPECT_EQ(cell, Guarded(v.get<std::string>())) << where;
      return;
    case Shown::kGroups: {
      std::string joined;
      for (const json& g : v) joined += (joined.empty() ? "" : "; ") + g.get<std::string>();
      EXPECT_EQ(cell, Guarded(joined)) << where;
      return;
    }
    case Shown::kInteger:
      EXPECT_EQ(cell, std::to_string(v.get<std::int64_t>())) << where;
      return;
    case Shown::kPercent:
      EXPECT_TRUE(IsDecimal(cell, 1, 1)) << where << ": " << cell;
      EXPECT_NEAR(std::stod(cell), std::round(v.get<double>() * 1000.0) / 10.0, 1e-9) << where;
      return;
    case Shown::kSeconds:
      EXPECT_TRUE(IsDecimal(cell, 0, 3)) << where << ": " << cell;
      EXPECT_NEAR(std::stod(cell), v.get<double>(), 0.0005) << where;
      return;
    case Shown::kHms: {
      const long long s = std::llround(v.get<double>());
      EXPECT_EQ(cell, fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)) << where;
      return;
    }
    case Shown::kTime:
      EXPECT_EQ(cell, v.get<std::string>()) << where;
      return;
    case Shown::kBoolean:
      EXPECT_EQ(cell, v.get<bool>() ? "true" : "false") << where;
      return;
  }
}

}  // namespace

void ExpectCsvMatchesJson(const CsvRecords& csv, const json& rows,
                          const std::vector<ExportColumn>& columns) {
  ASSERT_FALSE(csv.empty());
  std::vector<std::string> headers;
  for (const ExportColumn& c : columns) headers.push_back(c.header);
  EXPECT_EQ(csv[0], headers);
  ASSERT_EQ(csv.size() - 1, rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    ASSERT_EQ(csv[r + 1].size(), columns.size()) << "record " << r + 1;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const json& row = rows[r];
      const json v = row.contains(columns[c].field) ? row[columns[c].field] : json(nullptr);
      ExpectCell(csv[r + 1][c], v, columns[c].shown,
                 fmt::format("record {}, column '{}'", r + 1, columns[c].header));
    }
  }
}

double ExcelSerialOfLocalTime(const std::string& t) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  EXPECT_EQ(std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &s), 6) << t;
  // Days from 1970-01-01 of a civil date (H. Hinnant's algorithm).
  y -= mo <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = era * 146097.0 + doe - 719468.0;
  return days + 25569.0 + (h * 3600.0 + mi * 60.0 + s) / 86400.0;
}

const std::vector<std::string>& TrickyNames() {
  static const std::vector<std::string> names = {
      "=1+1",         "@SUM(A1)",    "-2",        "+x",
      "\tTabbed",     "\rCarriage",  "Zoë Çà Ñú", "Learner \xF0\x9F\x8E\x93\xF0\x9F\x9A\x80",  // 🎓🚀
      "Lee, \"Ann\"", "two\r\nlines"};
  return names;
}

void ExportFixture::SetUp() {
  ApiFixture::SetUp();
  if (HasFatalFailure()) return;
  SeedCatalog();
  Reply inj = Put("/api/v1/courses/inj", R"J({"title":"=HYPERLINK(\"http://x\")","chapters":[
      {"key":"k1","title":"+chapter","exercises":[{"key":"x1","title":"-minus"}]}]})J");
  ASSERT_EQ(inj.status, 200) << inj.body;
  ASSERT_EQ(Put("/api/v1/groups/g2", R"({"name":"@group"})").status, 200);
  Result<service::Caller> admin = service_->LocalAdmin("acme");
  ASSERT_TRUE(admin.ok());
  domain::WriteBatch users;
  users.users.origin = {"", false};
  auto add_user = [&](const std::string& key, const std::string& name,
                      std::vector<std::string> groups) {
    domain::User u;
    u.key = key;
    u.name = name;
    u.email = key + "@acme.example";
    u.roles.Add(domain::Role::kLearner);
    u.groups = std::move(groups);
    users.users.items.push_back({std::move(u), std::nullopt});
  };
  for (int i = 0; i < 130; ++i) {
    add_user(fmt::format("u{:03}", i), fmt::format("User {:03}", i),
             i % 2 == 0 ? std::vector<std::string>{"g1"} : std::vector<std::string>{"g1", "g2"});
  }
  for (std::size_t i = 0; i < TrickyNames().size(); ++i) {
    add_user(fmt::format("t{}", i), TrickyNames()[i], {"g2"});
  }
  Result<domain::WriteSummary> written = service_->Write(*admin, std::move(users));
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  json attempts = json::array();
  auto attempt = [&](const std::string& id, const std::string& user, const std::string& course,
                     const std::string& exercise, int minutes_ago, int correct, int wrong,
                     int hints) {
    json responses = json::array();
    for (int k = 0; k < correct + wrong; ++k) {
      responses.push_back({{"question", fmt::format("q{}", k)},
                           {"correct", k < correct},
                           {"hints", k == 0 ? hints : 0},
                           {"time_ms", 1000 + 250 * k + minutes_ago % 7}});
    }
    attempts.push_back({{"id", id},
                        {"user", user},
                        {"course", course},
                        {"exercise", exercise},
                        {"started_at", TimeAt(-minutes_ago)},
                        {"responses", responses}});
  };
  for (int i = 0; i < 130; ++i) {
    const std::string user = fmt::format("u{:03}", i);
    attempt("a" + user, user, "py", i % 3 == 0 ? "e1" : "e2", 60 * 24 * (i % 20) + i, i % 6, i % 4,
            i % 3);
    if (i % 5 == 0) attempt("b" + user, user, "py", "e3", 90 + i, 5, 0, 0);
    if (i % 10 == 0) {  // clean answers everywhere, last: completed and certified
      for (const char* exercise : {"e1", "e2", "e3"}) {
        attempt(std::string("f") + exercise + user, user, "py", exercise, 10 + i % 7, 5, 0, 0);
      }
    }
  }
  for (std::size_t i = 0; i < TrickyNames().size(); ++i) {
    const std::string user = fmt::format("t{}", i);
    attempt("c" + user, user, "py", "e1", 30 + static_cast<int>(i), 3, 1, 1);
    attempt("d" + user, user, "inj", "x1", 20 + static_cast<int>(i), 2, 0, 0);
  }
  Reply posted = Post("/api/v1/attempts", attempts.dump());
  ASSERT_EQ(posted.status, 200) << posted.body;
}

HttpResponse ExportFixture::Get(const std::string& target, const HeaderList& headers) {
  HeaderList all = {{"Authorization", "Bearer " + read_token_}};
  all.insert(all.end(), headers.begin(), headers.end());
  HttpResponse r = SendOnce("127.0.0.1", server_->port(), "GET", target, {}, all);
  RecordApiAnswer("GET", target, "", r.status, r.headers, r.body);  // for docs/openapi.json's check
  return r;
}

json ExportFixture::GetJson(const std::string& target) {
  HttpResponse r = Get(target);
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

CsvRecords ExportFixture::GetCsv(const std::string& target) {
  HttpResponse r = Get(target);
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8") << target;
  if (r.body.rfind("\xEF\xBB\xBF", 0) != 0) {
    ADD_FAILURE() << target << ": no byte-order mark";
    return {};
  }
  std::optional<CsvRecords> records = ParseRfc4180(std::string_view(r.body).substr(3));
  if (!records) {
    ADD_FAILURE() << target << ": not RFC 4180 CSV:\n" << r.body.substr(0, 2000);
    return {};
  }
  return *records;
}

}  // namespace cohort::testing
