#include "http/views_json.h"


namespace cohort::http {
namespace {

using json = OrderedJson;

OrderedJson Time(const std::optional<Instant>& t, const TimeZone& zone) {
  return t ? json(zone.Format(*t)) : json(nullptr);
}
OrderedJson Number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
OrderedJson SecondsOrNull(const std::optional<double>& ms) {
  return ms ? json(*ms / 1000.0) : json(nullptr);
}

template <typename Row, typename F>
OrderedJson TableJson(const metrics::Table<Row>& t, F row) {
  json rows = json::array();
  for (const Row& r : t.rows) rows.push_back(row(r));
  return {{"rows", std::move(rows)}, {"total", t.total}};
}

OrderedJson Text(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

OrderedJson AwardsJson(const std::vector<metrics::AwardFigure>& awards, const TimeZone& zone) {
  json out = json::array();
  for (const auto& a : awards) {
    out.push_back({{"id", a.id},
                   {"title", a.title},
                   {"note", a.note},
                   {"granted_by", Text(a.granted_by)},
                   {"granted_at", zone.Format(a.granted_at)},
                   {"course", Text(a.course)}});
  }
  return out;
}

OrderedJson Chapters(const std::vector<metrics::ChapterFigure>& chapters) {
  json out = json::array();
  for (const auto& c : chapters) {
    out.push_back({{"chapter", c.chapter}, {"title", c.title}, {"mastery", Number(c.mastery)}});
  }
  return out;
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

OrderedJson ToJson(const metrics::Table<metrics::AllCoursesRow>& t, const TimeZone&) {
  return TableJson(t, [](const metrics::AllCoursesRow& r) -> json {
    return {{"course", r.course},       {"title", r.title},         {"users", r.users},
            {"mastery", Number(r.mastery)}, {"certified", r.certified}, {"completed", r.completed},
            {"at_risk", r.at_risk},     {"score", Number(r.score)}};
  });
}

OrderedJson ToJson(const metrics::CourseView& v, const TimeZone&) {
  json weekly = json::array();
  for (const auto& w : v.weekly) {
    weekly.push_back({{"week", FormatDate(w.week_day)}, {"mastery", Number(w.mastery)}});
  }
  return {{"course", v.course},
          {"title", v.title},
          {"settings", SettingsJson(v.settings)},
          {"users", v.users},
          {"mastery", Number(v.mastery)},
          {"certified", v.certified},
          {"completed", v.completed},
          {"at_risk", v.at_risk},
          {"score", Number(v.score)},
          {"points", v.points},
          {"time", Seconds(v.time_ms)},
          {"avg_time", SecondsOrNull(v.avg_time_ms)},
          {"chapters", Chapters(v.chapters)},
          {"weekly", std::move(weekly)}};
}

OrderedJson ToJson(const metrics::Table<metrics::LeagueRow>& t, const TimeZone& zone) {
  return TableJson(t, [&](const metrics::LeagueRow& r) -> json {
    return {{"rank", r.rank},
            {"user", r.user},
            {"name", r.name},
            {"mastery", r.mastery},
            {"progress", r.progress},
            {"completed", r.completed},
            {"completed_at", Time(r.completed_at, zone)},
            {"certified", r.certified},
            {"certified_at", Time(r.certified_at, zone)},
            {"score", Number(r.score)},
            {"points", r.points},
            {"time", Seconds(r.time_ms)},
            {"last_active", Time(r.last_active, zone)},
            {"at_risk", r.at_risk}};
  });
}

OrderedJson ToJson(const metrics::Table<metrics::GroupRow>& t, const TimeZone&) {
  return TableJson(t, [](const metrics::GroupRow& r) -> json {
    return {{"rank", r.rank},
            {"group", r.group},
            {"name", r.name},
            {"users", r.users},
            {"mastery", Number(r.mastery)},
            {"completed", r.completed},
            {"certified", r.certified},
            {"score", Number(r.score)},
            {"points", r.points},
            {"time", Seconds(r.time_ms)}};
  });
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
  json exercises = json::array();
  for (const auto& e : v.exercises) {
    exercises.push_back({{"exercise", e.exercise},
                         {"title", e.title},
                         {"chapter", e.chapter},
                         {"mastery", e.mastery},
                         {"mastered", e.mastered},
                         {"score", Number(e.score)},
                         {"attempts", e.attempts},
                         {"hints", e.hints},
                         {"avg_time", SecondsOrNull(e.avg_time_ms)},
                         {"last_attempt", Time(e.last_attempt, zone)}});
  }
  return {{"user", v.user},
          {"name", v.name},
          {"course", v.course},
          {"title", v.title},
          {"enrolled_at", zone.Format(v.enrolled_at)},
          {"mastery", v.mastery},
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
          {"chapters", Chapters(v.chapters)},
          {"exercises", std::move(exercises)}};
}

OrderedJson ToJson(const std::vector<metrics::HistoryRow>& rows, const TimeZone& zone) {
  json out = json::array();
  for (const auto& r : rows) {
    json detail = json::array();
    for (const auto& d : r.detail) {
      detail.push_back({{"question", d.question},
                        {"correct", d.correct},
                        {"hints", d.hints},
                        {"time_ms", d.time_ms},
                        {"answered_at", zone.Format(d.answered_at)},
                        {"points", d.points}});
    }
    out.push_back({{"attempt", r.attempt},
                   {"started_at", zone.Format(r.started_at)},
                   {"duration", Seconds(r.duration_ms)},
                   {"responses", r.responses},
                   {"correct", r.correct},
                   {"incorrect", r.incorrect},
                   {"hints", r.hints},
                   {"score", Number(r.score)},
                   {"points", r.points},
                   {"mastery_after", r.mastery_after},
                   {"detail", std::move(detail)}});
  }
  const std::size_t total = out.size();
  return {{"rows", std::move(out)}, {"total", total}};
}

OrderedJson ToJson(const metrics::Table<metrics::ReportRow>& t, const TimeZone& zone) {
  return TableJson(t, [&](const metrics::ReportRow& r) -> json {
    return {{"user", r.user},
            {"name", r.name},
            {"email", r.email},
            {"groups", r.groups},
            {"course", r.course},
            {"title", r.title},
            {"mastery", r.mastery},
            {"progress", r.progress},
            {"completed_at", Time(r.completed_at, zone)},
            {"certified_at", Time(r.certified_at, zone)},
            {"score", Number(r.score)},
            {"points", r.points},
            {"time", Seconds(r.time_ms)},
            {"attempts", r.attempts},
            {"hints", r.hints},
            {"last_active", Time(r.last_active, zone)}};
  });
}

}  // namespace cohort::http
