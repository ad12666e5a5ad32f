#include "domain/validation.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "domain/key.h"

namespace cohort::domain {
namespace {

constexpr std::size_t kMaxTextBytes = 1024;

void CheckKey(std::vector<ErrorDetail>& out, std::string_view key, std::string pointer) {
  if (!IsValidKey(key)) {
    out.push_back({std::nullopt, std::move(pointer),
                   fmt::format("'{}' is not a valid key (1-128 bytes of A-Z a-z 0-9 . _ -, "
                               "not '.' or '..')",
                               key.substr(0, 140))});
  }
}

void CheckText(std::vector<ErrorDetail>& out, std::string_view text, std::string pointer,
               bool required) {
  if (required && text.empty()) {
    out.push_back({std::nullopt, std::move(pointer), "must not be empty"});
  } else if (text.size() > kMaxTextBytes) {
    out.push_back({std::nullopt, std::move(pointer),
                   fmt::format("is {} bytes long; at most {} are allowed", text.size(),
                               kMaxTextBytes)});
  }
}

void CheckFraction(std::vector<ErrorDetail>& out, double v, const char* name, bool zero_ok) {
  if (!(v <= 1.0) || !(zero_ok ? v >= 0.0 : v > 0.0)) {
    out.push_back({std::nullopt, fmt::format("/settings/{}", name),
                   fmt::format("{} must be in {}0, 1]; got {}", name, zero_ok ? "[" : "(", v)});
  }
}

}  // namespace

std::vector<ErrorDetail> ValidateSettings(const CourseSettings& s) {
  std::vector<ErrorDetail> out;
  if (s.mastery_window < 1 || s.mastery_window > 32) {
    out.push_back({std::nullopt, "/settings/mastery_window",
                   fmt::format("mastery_window must be 1-32; got {}", s.mastery_window)});
  }
  if (s.mastery_threshold) CheckFraction(out, *s.mastery_threshold, "mastery_threshold", false);
  CheckFraction(out, s.p_init, "p_init", true);
  CheckFraction(out, s.p_learn, "p_learn", true);
  CheckFraction(out, s.p_guess, "p_guess", true);
  CheckFraction(out, s.p_slip, "p_slip", true);
  if (s.p_guess + s.p_slip >= 1.0) {
    out.push_back({std::nullopt, "/settings/p_guess",
                   "p_guess + p_slip must be below 1, or a correct answer would mean less "
                   "than a wrong one"});
  }
  if (s.points_per_question < 0 || s.points_per_question > 1'000'000) {
    out.push_back({std::nullopt, "/settings/points_per_question",
                   "points_per_question must be 0-1000000"});
  }
  if (s.max_attempt_seconds < 1 || s.max_attempt_seconds > 7 * 86400) {
    out.push_back({std::nullopt, "/settings/max_attempt_seconds",
                   "max_attempt_seconds must be 1-604800"});
  }
  CheckFraction(out, s.certification_mastery, "certification_mastery", false);
  if (s.certification_valid_days && (*s.certification_valid_days < 1 ||
                                     *s.certification_valid_days > 36600)) {
    out.push_back({std::nullopt, "/settings/certification_valid_days",
                   "certification_valid_days must be 1-36600"});
  }
  if (s.at_risk_days < 1 || s.at_risk_days > 3660) {
    out.push_back({std::nullopt, "/settings/at_risk_days", "at_risk_days must be 1-3660"});
  }
  return out;
}

std::vector<ErrorDetail> ValidateCourse(const Course& course) {
  std::vector<ErrorDetail> out;
  CheckKey(out, course.key, "");
  CheckText(out, course.title, "/title", true);
  std::set<std::string_view> chapter_keys, exercise_keys, xapi_ids;
  for (std::size_t c = 0; c < course.chapters.size(); ++c) {
    const ChapterDef& ch = course.chapters[c];
    const std::string base = fmt::format("/chapters/{}", c);
    CheckKey(out, ch.key, base + "/key");
    CheckText(out, ch.title, base + "/title", true);
    if (!chapter_keys.insert(ch.key).second) {
      out.push_back({std::nullopt, base + "/key", fmt::format("chapter '{}' appears twice", ch.key)});
    }
    for (std::size_t e = 0; e < ch.exercises.size(); ++e) {
      const ExerciseDef& ex = ch.exercises[e];
      const std::string eb = fmt::format("{}/exercises/{}", base, e);
      CheckKey(out, ex.key, eb + "/key");
      CheckText(out, ex.title, eb + "/title", true);
      if (!exercise_keys.insert(ex.key).second) {
        out.push_back({std::nullopt, eb + "/key",
                       fmt::format("exercise '{}' appears twice in the course", ex.key)});
      }
      if (ex.xapi_id) {
        if (!IsAbsoluteIri(*ex.xapi_id)) {
          out.push_back({std::nullopt, eb + "/xapi_id",
                         "must be an absolute IRI of at most 1024 bytes, with a scheme and no "
                         "spaces (the id xAPI statements give the exercise)"});
        } else if (!xapi_ids.insert(*ex.xapi_id).second) {
          out.push_back({std::nullopt, eb + "/xapi_id",
                         "another exercise of the course has the same xapi_id"});
        }
      }
    }
  }
  for (ErrorDetail& d : ValidateSettings(course.settings)) out.push_back(std::move(d));
  return out;
}

bool IsAbsoluteIri(std::string_view iri) {
  if (iri.empty() || iri.size() > 1024) return false;
  const std::size_t colon = iri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == iri.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(iri[0]))) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(iri[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (const char c : iri) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::vector<ErrorDetail> ValidateUser(const User& user) {
  std::vector<ErrorDetail> out;
  CheckKey(out, user.key, "");
  CheckText(out, user.name, "/name", true);
  if (!IsPlausibleEmail(user.email)) {
    out.push_back({std::nullopt, "/email",
                   fmt::format("'{}' is not an email address", user.email.substr(0, 260))});
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < user.groups.size(); ++i) {
    CheckKey(out, user.groups[i], fmt::format("/groups/{}", i));
    if (!seen.insert(user.groups[i]).second) {
      out.push_back({std::nullopt, fmt::format("/groups/{}", i),
                     fmt::format("group '{}' is listed twice", user.groups[i])});
    }
  }
  if (user.password && (user.password->size() < 8 || user.password->size() > 1024)) {
    out.push_back({std::nullopt, "/password", "a password must be 8-1024 bytes long"});
  }
  return out;
}

std::vector<ErrorDetail> ValidateGroup(const Group& group) {
  std::vector<ErrorDetail> out;
  CheckKey(out, group.key, "");
  CheckText(out, group.name, "/name", true);
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < group.managers.size(); ++i) {
    CheckKey(out, group.managers[i], fmt::format("/managers/{}", i));
    if (!seen.insert(group.managers[i]).second) {
      out.push_back({std::nullopt, fmt::format("/managers/{}", i),
                     fmt::format("manager '{}' is listed twice", group.managers[i])});
    }
  }
  return out;
}

std::vector<ErrorDetail> ValidateAttempt(const Attempt& a, Instant now) {
  std::vector<ErrorDetail> out;
  if (!IsValidAttemptId(a.id)) {
    out.push_back({std::nullopt, "/id",
                   "an attempt id must be 1-128 bytes without control characters"});
  }
  CheckKey(out, a.user, "/user");
  CheckKey(out, a.course, "/course");
  CheckKey(out, a.exercise, "/exercise");
  const Instant latest{now.ms + kMaxFutureMs};
  if (a.started_at > latest) {
    out.push_back({std::nullopt, "/started_at", "started_at is more than 24 h in the future"});
  }
  if (a.finished_at) {
    if (*a.finished_at < a.started_at) {
      out.push_back({std::nullopt, "/finished_at", "finished_at is before started_at"});
    } else if (*a.finished_at > latest) {
      out.push_back({std::nullopt, "/finished_at", "finished_at is more than 24 h in the future"});
    }
  }
  if (a.responses.size() > kMaxResponsesPerAttempt) {
    out.push_back({std::nullopt, "/responses",
                   fmt::format("{} responses in one attempt; at most {} are allowed",
                               a.responses.size(), kMaxResponsesPerAttempt)});
    return out;
  }
  for (std::size_t i = 0; i < a.responses.size(); ++i) {
    const Response& r = a.responses[i];
    const std::string base = fmt::format("/responses/{}", i);
    if (r.question.empty() || r.question.size() > kMaxQuestionBytes) {
      out.push_back({std::nullopt, base + "/question",
                     fmt::format("question must be 1-{} bytes", kMaxQuestionBytes)});
    }
    if (r.hints < 0 || r.hints > kMaxHints) {
      out.push_back({std::nullopt, base + "/hints",
                     fmt::format("hints must be 0-{}; got {}", kMaxHints, r.hints)});
    }
    if (r.time_ms < 0 || r.time_ms > kMaxTimeMs) {
      out.push_back({std::nullopt, base + "/time_ms",
                     fmt::format("time_ms must be 0-{} (24 h); got {}", kMaxTimeMs, r.time_ms)});
    }
    if (r.points && (*r.points < 0 || *r.points > kMaxPoints)) {
      out.push_back({std::nullopt, base + "/points",
                     fmt::format("points must be 0-{}; got {}", kMaxPoints, *r.points)});
    }
    if (r.answered_at < a.started_at) {
      out.push_back({std::nullopt, base + "/answered_at", "answered_at is before started_at"});
    } else if (r.answered_at > latest) {
      out.push_back({std::nullopt, base + "/answered_at",
                     "answered_at is more than 24 h in the future"});
    }
  }
  return out;
}

}  // namespace cohort::domain
