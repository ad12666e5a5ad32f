#pragma once

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "http/message.h"
#include "metrics/engine.h"
#include "metrics/views.h"

namespace cohort::http {

// Response documents keep their fields in the order SPEC §4.1 lists them.
using OrderedJson = nlohmann::ordered_json;

// JSON of the views of SPEC §4.1, each table row rendered from its declared columns
// (metrics/view_columns.h): fractions in [0, 1], durations in seconds with millisecond
// fractions, times RFC 3339 in the account's zone, null where there is no value.
// With `weekly`, each row also has its course's `weekly` series (All courses' chart).
OrderedJson ToJson(const metrics::Table<metrics::AllCoursesRow>& t, const TimeZone& zone,
                   bool weekly = false);
OrderedJson ToJson(const metrics::CourseView& v, const TimeZone& zone);
// A group's page: {"group", "name"} and then the fields of its CourseView.
OrderedJson ToJson(const metrics::GroupCourseView& v, const TimeZone& zone);
OrderedJson ToJson(const metrics::PersonView& v, const TimeZone& zone);
OrderedJson ToJson(const std::vector<metrics::GroupListing>& groups, const TimeZone& zone);
OrderedJson ToJson(const metrics::ActivityView& v, const TimeZone& zone);
OrderedJson ToJson(const metrics::Table<metrics::LeagueRow>& t, const TimeZone& zone);
OrderedJson ToJson(const metrics::Table<metrics::GroupRow>& t, const TimeZone& zone);
OrderedJson ToJson(const metrics::UserCourseView& v, const TimeZone& zone);
// The history: every row, or a page of it (`total` counts the rows before paging).
OrderedJson ToJson(const std::vector<metrics::HistoryRow>& rows, const TimeZone& zone);
OrderedJson ToJson(const metrics::Table<metrics::HistoryRow>& t, const TimeZone& zone);
OrderedJson ToJson(const metrics::Table<metrics::ReportRow>& t, const TimeZone& zone);
OrderedJson SettingsJson(const domain::CourseSettings& s);

// Every table's declared columns (metrics/view_columns.h), for `GET /api/v1/columns`:
// {"tables": {"league": {"columns": [{"name", "title", "type", "unit", "nullable", "sort"}],
// "tie_break": [...]}, ...}}; `unit` and `sort` are null where there is none.
OrderedJson ColumnsJson();

// A response with `body` as its JSON (invalid UTF-8 in strings replaced, never thrown on).
Response JsonResponse(int status, const OrderedJson& body);

// Seconds from milliseconds, as a JSON number (75500 → 75.5).
inline double Seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace cohort::http
