#include "http/views_json.h"

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "metrics/view_columns.h"

namespace cohort::http {
namespace {

using json = OrderedJson;
using metrics::ColumnType;

OrderedJson Time(const std::optional<Instant>& t, const TimeZone& zone) {
  return t ? json(zone.Format(*t)) : json(nullptr);
}
OrderedJson Number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
OrderedJson SecondsOrNull(const std::optional<double>& ms) {
  return ms ? json(*ms / 1000.0) : json(nullptr);
}
OrderedJson Text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// One declared cell as JSON, as its column's type says (metrics/view_columns.h): durations in
// seconds, instants in the account's zone, days as "2026-03-02", key lists as arrays.
OrderedJson CellJson(const metrics::ColumnInfo& column, const metrics::CellValue& cell,
                     const TimeZone& zone) {
  struct Render {
    const metrics::ColumnInfo& column;
    const TimeZone& zone;
    json operator()(std::monostate) const { return nullptr; }
    json operator()(bool b) const { return b; }
    json operator()(std::int64_t n) const {
      if (column.type == ColumnType::kDuration) return Seconds(n);
      if (column.type == ColumnType::kDate) return FormatDate(n);
      return n;
    }
    json operator()(double d) const {
      return column.type == ColumnType::kDuration ? d / 1000.0 : d;
    }
    json operator()(Instant t) const { return zone.Format(t); }
    json operator()(std::string_view s) const { return std::string(s); }
    json operator()(std::span<const std::string> keys) const {
      json out = json::array();
      for (const std::string& k : keys) out.push_back(k);
      return out;
    }
  };
  return std::visit(Render{column, zone}, cell);
}

// A row as a JSON object: its declared columns, in order.
template <typename Row>
OrderedJson RowJson(const metrics::ColumnTable<Row>& table, const Row& row, const TimeZone& zone) {
  json out = json::object();
  for (const metrics::ViewColumn<Row>& c : table.columns) {
    out.emplace(std::string(c.name), CellJson(c, c.value(row), zone));
  }
  return out;
}

template <typename Row>
OrderedJson RowsJson(const metrics::ColumnTable<Row>& table, const std::vector<Row>& rows,
                     const TimeZone& zone) {
  json out = json::array();
  for (const Row& r : rows) out.push_back(RowJson(table, r, zone));
  return out;
}

// A table view's answer: {"rows": [...], "total": N}.
template <typename Row>
OrderedJson TableJson(const metrics::ColumnTable<Row>& table, const metrics::Table<Row>& t,
                      const TimeZone& zone) {
  return {{"rows", RowsJson(table, t.rows, zone)}, {"total", t.total}};
}

OrderedJson AwardsJson(const std::vector<metrics::AwardFigure>& awards, const TimeZone& zone) {
  json out = json::array();
  for (const auto& a : awards) {
    out.push_back({{"id", a.id.value},
                   {"title", a.title},
                   {"note", a.note},
                   {"granted_by", Text(a.granted_by)},
                   {"granted_at", zone.Format(a.granted_at)},
                   {"course", Text(a.course)}});
  }
  return out;
}

// One declared table for `GET /api/v1/columns`: what the web UI builds its column lists from.
template <typename Row>
OrderedJson ColumnTableJson(const metrics::ColumnTable<Row>& table) {
  json columns = json::array();
  for (const metrics::ColumnInfo& c : table.columns) {
    const std::string_view unit = metrics::ColumnUnitName(c.unit);
    columns.push_back({{"name", std::string(c.name)},
                       {"title", std::string(c.title)},
                       {"type", std::string(metrics::ColumnTypeName(c.type))},
                       {"unit", unit.empty() ? json(nullptr) : json(std::string(unit))},
                       {"nullable", c.nullable},
                       {"sort", c.sortable() ? json(std::string(metrics::SortRuleName(c.sort)))
                                             : json(nullptr)}});
  }
  json tie_break = json::array();
  for (const std::string_view t : table.tie_break) tie_break.push_back(std::string(t));
  return {{"columns", std::move(columns)}, {"tie_break", std::move(tie_break)}};
}

}  // namespace

Response JsonResponse(int status, const OrderedJson& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

OrderedJson SettingsJson(const domain::CourseSettings& s) {
  json out = {{"mastery_model", domain::MasteryModelName(s.mastery_model)},
              {"mastery_window", s.mastery_window},
              {"mastery_threshold", s.ResolvedThreshold()},
              {"p_init", s.p_init},
              {"p_learn", s.p_learn},
              {"p_guess", s.p_guess},
              {"p_slip", s.p_slip},
              {"points_per_question", s.points_per_question},
              {"max_attempt_seconds", s.max_attempt_seconds},
              {"certification_mastery", s.certification_mastery},
              {"certification_valid_days", nullptr},
              {"at_risk_days", s.at_risk_days}};
  if (s.certification_valid_days) out["certification_valid_days"] = *s.certification_valid_days;
  return out;
}

OrderedJson ToJson(const metrics::Table<metrics::AllCoursesRow>& t, const TimeZone& zone,
                   bool weekly) {
  OrderedJson out = TableJson(metrics::kAllCoursesColumns, t, zone);
  if (!weekly) return out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out["rows"][i]["weekly"] = RowsJson(metrics::kWeeklyColumns, t.rows[i].weekly, zone);
  }
  return out;
}

OrderedJson BandsJson(const metrics::Bands& b) {
  return {{"not_started", b.not_started},
          {"below_half", b.below_half},
          {"below_threshold", b.below_threshold},
          {"mastered", b.mastered}};
}

OrderedJson ToJson(const metrics::CourseView& v, const TimeZone& zone) {
  json chapters = RowsJson(metrics::kChapterColumns, v.chapters, zone);
  for (std::size_t ch = 0; ch < v.chapter_bands.size() && ch < chapters.size(); ++ch) {
    chapters[ch]["bands"] = BandsJson(v.chapter_bands[ch]);
  }
  return {{"course", v.course},
          {"title", v.title},
          {"settings", SettingsJson(v.settings)},
          {"mastery_threshold", v.mastery_threshold},
          {"users", v.users},
          {"mastery", Number(v.mastery)},
          {"certified", v.certified},
          {"completed", v.completed},
          {"at_risk", v.at_risk},
          {"at_risk_share", Number(v.at_risk_share)},
          {"score", Number(v.score)},
          {"points", v.points},
          {"time", Seconds(v.time_ms)},
          {"avg_time", SecondsOrNull(v.avg_time_ms)},
          {"bands", BandsJson(v.bands)},
          {"chapters", std::move(chapters)},
          {"weekly", RowsJson(metrics::kWeeklyColumns, v.weekly, zone)}};
}

OrderedJson ToJson(const metrics::GroupCourseView& v, const TimeZone& zone) {
  json out = json::object();
  out.emplace("group", v.group);
  out.emplace("name", v.name);
  json figures = ToJson(v.figures, zone);
  for (auto it = figures.begin(); it != figures.end(); ++it) out[it.key()] = *it;
  return out;
}

OrderedJson ToJson(const metrics::ActivityView& v, const TimeZone&) {
  json weeks = json::array();
  for (const metrics::ActivityWeek& w : v.weeks) {
    weeks.push_back({{"week", FormatDate(w.week_day)},
                     {"active", w.active},
                     {"attempts", w.attempts},
                     {"completions", w.completions},
                     {"certifications", w.certifications},
                     {"mastery", Number(w.mastery)}});
  }
  return {{"from", FormatDate(v.from_day)},
          {"to", FormatDate(v.to_day)},
          {"learners", v.learners},
          {"enrolments", v.enrolments},
          {"mastery", Number(v.mastery)},
          {"completion_rate", Number(v.completion_rate)},
          {"certification_rate", Number(v.certification_rate)},
          {"active_this_week", v.active_this_week},
          {"at_risk", v.at_risk},
          {"weeks", std::move(weeks)}};
}

OrderedJson ToJson(const std::vector<metrics::GroupListing>& groups, const TimeZone&) {
  json rows = json::array();
  for (const metrics::GroupListing& g : groups) {
    rows.push_back({{"group", g.group}, {"name", g.name}, {"members", g.members}});
  }
  return {{"groups", std::move(rows)}};
}

OrderedJson ToJson(const metrics::PersonView& v, const TimeZone& zone) {
  json groups = json::array();
  for (const metrics::GroupName& g : v.groups) groups.push_back({{"group", g.group}, {"name", g.name}});
  json courses = json::array();
  for (const metrics::PersonCourse& c : v.courses) {
    json row = RowJson(metrics::kLeagueColumns, c.figures, zone);
    json out = {{"course", c.course}, {"title", c.title}, {"mastery_threshold", c.mastery_threshold}};
    for (const char* field : {"enrolled_at", "mastery", "progress", "completed_at", "certified_at",
                              "at_risk", "score", "points", "time", "last_active", "days_inactive",
                              "not_started"}) {
      out[field] = row[field];
    }
    courses.push_back(std::move(out));
  }
  json certifications = json::array();
  for (const metrics::PersonCertification& c : v.certifications) {
    certifications.push_back({{"course", c.course},
                              {"title", c.title},
                              {"issued_at", zone.Format(c.certification.issued_at)},
                              {"expires_at", Time(c.certification.expires_at, zone)},
                              {"source", c.certification.imported ? "imported" : "automatic"}});
  }
  json badges = json::array();
  for (const metrics::PersonBadge& b : v.badges) {
    badges.push_back({{"course", b.course},
                      {"title", b.title},
                      {"badge", b.badge.badge},
                      {"chapter_title", b.chapter_title ? json(*b.chapter_title) : json()},
                      {"awarded_at", zone.Format(b.badge.awarded_at)}});
  }
  return {{"user", v.user},
          {"name", v.name},
          {"email", v.email},
          {"active", v.active},
          {"groups", std::move(groups)},
          {"courses", std::move(courses)},
          {"certifications", std::move(certifications)},
          {"badges", std::move(badges)},
          {"awards", AwardsJson(v.awards, zone)}};
}

OrderedJson ToJson(const metrics::Table<metrics::LeagueRow>& t, const TimeZone& zone) {
  return TableJson(metrics::kLeagueColumns, t, zone);
}

OrderedJson ToJson(const metrics::Table<metrics::GroupRow>& t, const TimeZone& zone) {
  OrderedJson out = TableJson(metrics::kGroupColumns, t, zone);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out["rows"][i]["bands"] = BandsJson(t.rows[i].bands);
    // With chapters=true: the heat map's cells.
    if (!t.rows[i].chapters.empty()) {
      out["rows"][i]["chapters"] = RowsJson(metrics::kChapterColumns, t.rows[i].chapters, zone);
    }
  }
  return out;
}

OrderedJson ToJson(const metrics::UserCourseView& v, const TimeZone& zone) {
  json certifications = json::array();
  for (const auto& c : v.certifications) {
    certifications.push_back({{"issued_at", zone.Format(c.issued_at)},
                              {"expires_at", Time(c.expires_at, zone)},
                              {"source", c.imported ? "imported" : "automatic"}});
  }
  json badges = json::array();
  for (const auto& b : v.badges) {
    badges.push_back({{"badge", b.badge}, {"awarded_at", zone.Format(b.awarded_at)}});
  }
  return {{"user", v.user},
          {"name", v.name},
          {"course", v.course},
          {"title", v.title},
          {"enrolled_at", zone.Format(v.enrolled_at)},
          {"mastery", v.mastery},
          {"mastery_threshold", v.mastery_threshold},
          {"progress", v.progress},
          {"completed", v.completed},
          {"completed_at", Time(v.completed_at, zone)},
          {"certified", v.certified},
          {"certified_at", Time(v.certified_at, zone)},
          {"score", Number(v.score)},
          {"points", v.points},
          {"time", Seconds(v.time_ms)},
          {"attempts", v.attempts},
          {"hints", v.hints},
          {"last_active", Time(v.last_active, zone)},
          {"at_risk", v.at_risk},
          {"certifications", std::move(certifications)},
          {"badges", std::move(badges)},
          {"awards", AwardsJson(v.awards, zone)},
          {"chapters", RowsJson(metrics::kChapterColumns, v.chapters, zone)},
          {"exercises", RowsJson(metrics::kExerciseColumns, v.exercises, zone)}};
}

namespace {

OrderedJson HistoryJson(const std::vector<metrics::HistoryRow>& rows, std::size_t total,
                        const TimeZone& zone) {
  json out = json::array();
  for (const metrics::HistoryRow& r : rows) {
    json row = RowJson(metrics::kHistoryColumns, r, zone);
    row.emplace("detail", RowsJson(metrics::kHistoryDetailColumns, r.detail, zone));
    out.push_back(std::move(row));
  }
  return {{"rows", std::move(out)}, {"total", total}};
}

}  // namespace

OrderedJson ToJson(const metrics::Table<metrics::HistoryRow>& t, const TimeZone& zone) {
  return HistoryJson(t.rows, t.total, zone);
}

OrderedJson ToJson(const std::vector<metrics::HistoryRow>& rows, const TimeZone& zone) {
  return HistoryJson(rows, rows.size(), zone);
}

OrderedJson ColumnsJson() {
  json tables = json::object();
  metrics::ForEachTable([&](const auto& table) {
    tables.emplace(std::string(table.view), ColumnTableJson(table));
  });
  return {{"tables", std::move(tables)}};
}

OrderedJson ToJson(const metrics::Table<metrics::ReportRow>& t, const TimeZone& zone) {
  return TableJson(metrics::kReportColumns, t, zone);
}

}  // namespace cohort::http
