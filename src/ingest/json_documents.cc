#include "ingest/json_documents.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/key.h"
#include "domain/validation.h"
#include "ingest/json_reader.h"

namespace cohort::ingest {
namespace {

using internal::FieldBit;
using internal::FieldNames;
using internal::JsonArray;
using internal::JsonObject;
using internal::JsonReader;
using internal::JsonType;
using internal::JsonValue;
using internal::PathScope;

constexpr std::string_view kAttemptFields[] = {"id",         "user",        "course",   "exercise",
                                               "started_at", "finished_at", "responses"};
enum AttemptField : std::size_t {
  kId,
  kUser,
  kCourse,
  kExercise,
  kStartedAt,
  kFinishedAt,
  kResponses
};
constexpr std::uint32_t kAttemptRequired = FieldBit(kId) | FieldBit(kUser) | FieldBit(kCourse) |
                                           FieldBit(kExercise) | FieldBit(kStartedAt) |
                                           FieldBit(kResponses);

constexpr std::string_view kResponseFields[] = {"question", "correct",     "hints",
                                                "time_ms",  "answered_at", "points"};
enum ResponseField : std::size_t { kQuestion, kCorrect, kHints, kTimeMs, kAnsweredAt, kPoints };
constexpr std::uint32_t kResponseRequired = FieldBit(kQuestion) | FieldBit(kCorrect);

// Items of import bundles carry their key first; a PUT body's key comes from the path, so the
// same list without its first entry is used there.
constexpr std::string_view kCourseFields[] = {"key", "title", "chapters", "settings"};
enum CourseField : std::size_t { kCourseKey, kCourseTitle, kChapters, kSettings };
constexpr std::uint32_t kCourseRequired =
    FieldBit(kCourseKey) | FieldBit(kCourseTitle) | FieldBit(kChapters);

constexpr std::string_view kChapterFields[] = {"key", "title", "exercises"};
constexpr std::string_view kExerciseFields[] = {"key", "title", "xapi_id"};

constexpr std::string_view kSettingsFields[] = {"mastery_model",
                                                "mastery_window",
                                                "mastery_threshold",
                                                "p_init",
                                                "p_learn",
                                                "p_guess",
                                                "p_slip",
                                                "points_per_question",
                                                "max_attempt_seconds",
                                                "certification_mastery",
                                                "certification_valid_days",
                                                "at_risk_days"};
enum SettingsField : std::size_t {
  kMasteryModel,
  kMasteryWindow,
  kMasteryThreshold,
  kPInit,
  kPLearn,
  kPGuess,
  kPSlip,
  kPointsPerQuestion,
  kMaxAttemptSeconds,
  kCertificationMastery,
  kCertificationValidDays,
  kAtRiskDays
};

constexpr std::string_view kUserFields[] = {"key",    "name",   "email",   "roles",
                                            "groups", "active", "password"};
enum UserField : std::size_t { kUserKey, kName, kEmail, kRoles, kUserGroups, kActive, kPassword };
constexpr std::uint32_t kUserRequired = FieldBit(kUserKey) | FieldBit(kName) | FieldBit(kEmail);

constexpr std::string_view kGroupFields[] = {"key", "name", "managers"};
enum GroupField : std::size_t { kGroupKey, kGroupName, kManagers };
constexpr std::uint32_t kGroupRequired = FieldBit(kGroupKey) | FieldBit(kGroupName);

constexpr std::string_view kEnrollmentFields[] = {"user", "course", "enrolled_at"};
constexpr std::uint32_t kEnrollmentRequired = FieldBit(0) | FieldBit(1);

constexpr std::string_view kCertificationFields[] = {"user", "course", "issued_at", "expires_at"};
constexpr std::uint32_t kCertificationRequired = FieldBit(0) | FieldBit(1) | FieldBit(2);

constexpr std::string_view kBundleSections[] = {"courses",     "groups",   "users",
                                                "enrollments", "attempts", "certifications"};
enum BundleSection : std::size_t {
  kCourses,
  kGroups,
  kUsers,
  kEnrollments,
  kAttempts,
  kCertifications
};

constexpr const char* kKeyRule = "1-128 bytes of A-Z a-z 0-9 . _ -, not '.' or '..'";

// A shape whose key may come from the path: `with_key` keeps names[0] ("key"), else the field
// list, masks and indexes skip it. The callback always sees indexes of the full list.
struct Shape {
  FieldNames names;
  std::uint32_t required;
  std::size_t first;

  Shape(FieldNames all, std::uint32_t all_required, bool with_key)
      : names(all.subspan(with_key ? 0 : 1)),
        required(with_key ? all_required : all_required >> 1),
        first(with_key ? 0 : 1) {}
};

// Reads an object of `shape` at `depth`, calling on_field with full-list indexes. Returns
// whether the object had the right shape (no problem recorded while reading it).
template <typename OnField>
bool ReadShape(JsonReader& r, JsonObject& object, int depth, const Shape& shape,
               OnField&& on_field) {
  const std::size_t before = r.problems().size();
  const std::optional<std::uint32_t> seen =
      r.Fields(object, depth, shape.names,
               [&](std::size_t i, JsonValue& value) { on_field(i + shape.first, value); });
  if (!seen) return false;
  r.RequireFields(*seen, shape.required, shape.names);
  return !r.stopped() && r.problems().size() == before;
}

// Reads the items of a batch list (`array` at `depth`), each with its index on its problems.
// Before item `limit`, stops and reports the list as too long at the root. Returns whether
// every item was read.
template <typename ReadItem>
bool ReadItems(JsonReader& r, JsonArray& array, int depth, std::size_t limit,
               ReadItem&& read_item) {
  const bool complete = r.Elements(array, depth, [&](std::size_t i, JsonValue& item, int d) {
    if (i == limit) {
      r.problems().AddFirst(std::nullopt, "",
                            fmt::format("more than {} attempts in one request; at most {} are "
                                        "allowed",
                                        limit, limit));
      return false;
    }
    r.SetIndex(i);
    read_item(item, d);
    return true;
  });
  r.SetIndex(std::nullopt);
  return complete;
}

// ReadItems over the array `v`, a section of an import bundle.
template <typename ReadItem>
void ReadSection(JsonReader& r, JsonValue& v, int depth, ReadItem&& read_item) {
  std::optional<JsonArray> array = r.Array(v, depth);
  if (array) ReadItems(r, *array, depth, SIZE_MAX, read_item);
}

// Reads attempts and responses, resolving answered_at defaults and checking domain rules.
class AttemptReader {
 public:
  AttemptReader(JsonReader& reader, Instant now) : r_(reader), now_(now) {}

  // Reads the attempt `v` at `depth`; appends it to `out` when it is valid.
  void Read(JsonValue& v, int depth, std::vector<domain::Attempt>& out) {
    std::optional<JsonObject> object = r_.Object(v, depth);
    if (!object) return;
    domain::Attempt a;
    given_.clear();
    total_responses_ = 0;
    const bool shaped = ReadShape(
        r_, *object, depth, Shape(kAttemptFields, kAttemptRequired, true),
        [&](std::size_t field, JsonValue& value) { ReadAttemptField(field, value, depth + 1, a); });
    if (!shaped) return;
    domain::ResolveAnsweredAt(a, given_);
    std::vector<ErrorDetail> errors = domain::ValidateAttempt(a, now_);
    if (errors.empty()) {
      out.push_back(std::move(a));
      return;
    }
    if (total_responses_ > a.responses.size()) {
      // Responses past the first 1,001 were counted, not read: say how many there were.
      for (ErrorDetail& e : errors) {
        if (e.pointer == "/responses") {
          e.reason = fmt::format("{} responses in one attempt; at most {} are allowed",
                                 total_responses_, domain::kMaxResponsesPerAttempt);
        }
      }
    }
    r_.problems().AddRelative(std::move(errors), r_.index(), r_.Pointer(), "");
  }

 private:
  static void SetString(std::optional<std::string_view> s, std::string& out) {
    if (s) out.assign(*s);
  }

  void ReadAttemptField(std::size_t field, JsonValue& value, int depth, domain::Attempt& a) {
    switch (field) {
      case kId:
        SetString(r_.String(value, depth), a.id);
        break;
      case kUser:
        SetString(r_.String(value, depth), a.user);
        break;
      case kCourse:
        SetString(r_.String(value, depth), a.course);
        break;
      case kExercise:
        SetString(r_.String(value, depth), a.exercise);
        break;
      case kStartedAt:
        if (std::optional<Instant> t = r_.Time(value, depth)) a.started_at = *t;
        break;
      case kFinishedAt:
        if (!r_.IsNull(value)) a.finished_at = r_.Time(value, depth);
        break;
      case kResponses:
        ReadResponses(value, depth, a);
        break;
      default:
        break;
    }
  }

  void ReadResponses(JsonValue& v, int depth, domain::Attempt& a) {
    std::optional<JsonArray> array = r_.Array(v, depth);
    if (!array) return;
    r_.Elements(*array, depth, [&](std::size_t i, JsonValue& item, int d) {
      ++total_responses_;
      // One past the limit is enough for the rule to fire; the rest are only counted, and
      // simdjson steps over them unread.
      if (i > domain::kMaxResponsesPerAttempt) return true;
      domain::Response& response = a.responses.emplace_back();
      given_.push_back(false);
      std::optional<JsonObject> object = r_.Object(item, d);
      if (!object) return true;
      (void)ReadShape(r_, *object, d, Shape(kResponseFields, kResponseRequired, true),
                      [&](std::size_t field, JsonValue& value) {
                        ReadResponseField(field, value, d + 1, response);
                      });
      return true;
    });
  }

  void ReadResponseField(std::size_t field, JsonValue& value, int depth, domain::Response& out) {
    if (field != kQuestion && field != kCorrect && r_.IsNull(value)) return;
    switch (field) {
      case kQuestion:
        SetString(r_.String(value, depth), out.question);
        break;
      case kCorrect:
        if (std::optional<bool> b = r_.Bool(value, depth)) out.correct = *b;
        break;
      case kHints:
        if (std::optional<std::int64_t> n = r_.Int(value, depth)) out.hints = *n;
        break;
      case kTimeMs:
        if (std::optional<std::int64_t> n = r_.Int(value, depth)) {
          // Refused here, not only by ValidateAttempt: answered_at defaults to the running sum
          // of time_ms, and a sum of hostile values (9223372036854775807) would overflow.
          if (*n < 0 || *n > domain::kMaxTimeMs) {
            r_.Report(fmt::format("time_ms must be 0-{} (24 h); got {}", domain::kMaxTimeMs, *n));
          } else {
            out.time_ms = *n;
          }
        }
        break;
      case kAnsweredAt:
        if (std::optional<Instant> t = r_.Time(value, depth)) {
          out.answered_at = *t;
          given_.back() = true;
        }
        break;
      case kPoints:
        out.points = r_.Int(value, depth);
        break;
      default:
        break;
    }
  }

  JsonReader& r_;
  Instant now_;
  // Of the attempt being read: whether each response gave answered_at, and how many
  // responses there were (read or not).
  std::vector<bool> given_;
  std::size_t total_responses_ = 0;
};

void ReadSetting(JsonReader& r, std::size_t field, JsonValue& value, int depth,
                 domain::CourseSettings& out) {
  if (r.IsNull(value)) return;  // the default stays
  auto set_int = [&](int& target) {
    if (std::optional<int> n = r.Int32(value, depth)) target = *n;
  };
  auto set_double = [&](double& target) {
    if (std::optional<double> x = r.Number(value, depth)) target = *x;
  };
  switch (field) {
    case kMasteryModel:
      if (std::optional<std::string_view> s = r.String(value, depth)) {
        if (*s == "recent") {
          out.mastery_model = domain::MasteryModel::kRecent;
        } else if (*s == "bkt") {
          out.mastery_model = domain::MasteryModel::kBkt;
        } else {
          r.Report(
              fmt::format("mastery_model must be 'recent' or 'bkt'; got '{}'", internal::Clip(*s)));
        }
      }
      break;
    case kMasteryWindow:
      set_int(out.mastery_window);
      break;
    case kMasteryThreshold:
      out.mastery_threshold = r.Number(value, depth);
      break;
    case kPInit:
      set_double(out.p_init);
      break;
    case kPLearn:
      set_double(out.p_learn);
      break;
    case kPGuess:
      set_double(out.p_guess);
      break;
    case kPSlip:
      set_double(out.p_slip);
      break;
    case kPointsPerQuestion:
      set_int(out.points_per_question);
      break;
    case kMaxAttemptSeconds:
      set_int(out.max_attempt_seconds);
      break;
    case kCertificationMastery:
      set_double(out.certification_mastery);
      break;
    case kCertificationValidDays:
      out.certification_valid_days = r.Int32(value, depth);
      break;
    case kAtRiskDays:
      set_int(out.at_risk_days);
      break;
    default:
      break;
  }
}

void ReadExercises(JsonReader& r, JsonValue& v, int depth, std::vector<domain::ExerciseDef>& out) {
  std::optional<JsonArray> array = r.Array(v, depth);
  if (!array) return;
  r.Elements(*array, depth, [&](std::size_t, JsonValue& item, int d) {
    std::optional<JsonObject> object = r.Object(item, d);
    if (!object) return true;
    domain::ExerciseDef& ex = out.emplace_back();
    (void)ReadShape(r, *object, d, Shape(kExerciseFields, 0b11, true),
                    [&](std::size_t field, JsonValue& value) {
                      if (std::optional<std::string_view> s = r.String(value, d + 1)) {
                        if (field == 2) {
                          ex.xapi_id = std::string(*s);
                        } else {
                          (field == 0 ? ex.key : ex.title).assign(*s);
                        }
                      }
                    });
    return true;
  });
}

void ReadChapters(JsonReader& r, JsonValue& v, int depth, std::vector<domain::ChapterDef>& out) {
  std::optional<JsonArray> array = r.Array(v, depth);
  if (!array) return;
  r.Elements(*array, depth, [&](std::size_t, JsonValue& item, int d) {
    std::optional<JsonObject> object = r.Object(item, d);
    if (!object) return true;
    domain::ChapterDef& chapter = out.emplace_back();
    (void)ReadShape(r, *object, d, Shape(kChapterFields, 0b111, true),
                    [&](std::size_t field, JsonValue& value) {
                      if (field == 2) {
                        ReadExercises(r, value, d + 1, chapter.exercises);
                      } else if (std::optional<std::string_view> s = r.String(value, d + 1)) {
                        (field == 0 ? chapter.key : chapter.title).assign(*s);
                      }
                    });
    return true;
  });
}

void ReadCourseField(JsonReader& r, std::size_t field, JsonValue& value, int depth,
                     domain::Course& out) {
  switch (field) {
    case kCourseKey:
    case kCourseTitle:
      if (std::optional<std::string_view> s = r.String(value, depth)) {
        (field == kCourseKey ? out.key : out.title).assign(*s);
      }
      break;
    case kChapters:
      ReadChapters(r, value, depth, out.chapters);
      break;
    case kSettings: {
      if (r.IsNull(value)) break;
      std::optional<JsonObject> object = r.Object(value, depth);
      if (!object) break;
      (void)ReadShape(r, *object, depth, Shape(kSettingsFields, 0, true),
                      [&](std::size_t setting, JsonValue& v) {
                        ReadSetting(r, setting, v, depth + 1, out.settings);
                      });
      break;
    }
    default:
      break;
  }
}

// Reads a course object; `with_key` for import items, whose key is a field.
bool ReadCourse(JsonReader& r, JsonObject& object, int depth, bool with_key, domain::Course& out) {
  return ReadShape(r, object, depth, Shape(kCourseFields, kCourseRequired, with_key),
                   [&](std::size_t field, JsonValue& value) {
                     ReadCourseField(r, field, value, depth + 1, out);
                   });
}

void ReadRoles(JsonReader& r, JsonValue& v, int depth, domain::RoleSet& out) {
  std::optional<JsonArray> array = r.Array(v, depth);
  if (!array) return;
  r.Elements(*array, depth, [&](std::size_t, JsonValue& item, int d) {
    std::optional<std::string_view> name = r.String(item, d);
    if (!name) return true;
    if (std::optional<domain::Role> role = domain::ParseRole(*name)) {
      out.Add(*role);
    } else {
      r.Report(fmt::format(
          "unknown role '{}' (use account_manager, executive, group_manager or learner)",
          internal::Clip(*name)));
    }
    return true;
  });
}

void ReadUserField(JsonReader& r, std::size_t field, JsonValue& value, int depth, domain::User& out,
                   bool& roles_given) {
  if (field != kUserKey && field != kName && field != kEmail && r.IsNull(value)) return;
  switch (field) {
    case kUserKey:
    case kName:
    case kEmail:
      if (std::optional<std::string_view> s = r.String(value, depth)) {
        (field == kUserKey ? out.key : field == kName ? out.name : out.email).assign(*s);
      }
      break;
    case kRoles:
      roles_given = true;
      ReadRoles(r, value, depth, out.roles);
      break;
    case kUserGroups:
      if (auto groups = r.Strings(value, depth)) out.groups = std::move(*groups);
      break;
    case kActive:
      if (std::optional<bool> b = r.Bool(value, depth)) out.active = *b;
      break;
    case kPassword:
      if (std::optional<std::string_view> s = r.String(value, depth)) out.password.emplace(*s);
      break;
    default:
      break;
  }
}

bool ReadUser(JsonReader& r, JsonObject& object, int depth, bool with_key, domain::User& out) {
  bool roles_given = false;
  const bool shaped = ReadShape(r, object, depth, Shape(kUserFields, kUserRequired, with_key),
                                [&](std::size_t field, JsonValue& value) {
                                  ReadUserField(r, field, value, depth + 1, out, roles_given);
                                });
  // No roles, or an empty list, make a learner: every person in an account is at least that.
  if (!roles_given || out.roles.bits == 0) out.roles.Add(domain::Role::kLearner);
  return shaped;
}

bool ReadGroup(JsonReader& r, JsonObject& object, int depth, bool with_key, domain::Group& out) {
  return ReadShape(r, object, depth, Shape(kGroupFields, kGroupRequired, with_key),
                   [&](std::size_t field, JsonValue& value) {
                     const int d = depth + 1;
                     switch (field) {
                       case kGroupKey:
                       case kGroupName:
                         if (std::optional<std::string_view> s = r.String(value, d)) {
                           (field == kGroupKey ? out.key : out.name).assign(*s);
                         }
                         break;
                       case kManagers:
                         if (r.IsNull(value)) break;
                         if (auto managers = r.Strings(value, d))
                           out.managers = std::move(*managers);
                         break;
                       default:
                         break;
                     }
                   });
}

// Reports a bad key from the path at the root, before the body is read.
void CheckPathKey(JsonReader& r, std::string_view kind, std::string_view key) {
  if (domain::IsValidKey(key)) return;
  r.Report(
      fmt::format("'{}' is not a valid {} key ({})", internal::Clip(key, 140), kind, kKeyRule));
}

// Domain rule details of a PUT body: its key was checked from the path already, so the
// details about it (empty pointer) are dropped.
std::vector<ErrorDetail> WithoutKeyDetails(std::vector<ErrorDetail> details) {
  std::erase_if(details, [](const ErrorDetail& d) { return d.pointer.empty(); });
  return details;
}

// The shared shape of PUT course/user/group: a root object with the key from the path.
template <typename T, typename ReadFn, typename ValidateFn>
Result<T> ParseKeyed(std::string_view kind, std::string_view key, std::string_view body,
                     ReadFn&& read, ValidateFn&& validate) {
  JsonReader r(body, "body", "request");
  if (r.malformed()) return r.Failure();
  CheckPathKey(r, kind, key);
  T out;
  out.key.assign(key);
  std::optional<JsonObject> object = r.RootObject(fmt::format("expected a {} object", kind));
  if (object && read(r, *object, 1, false, out)) {
    r.problems().AddRelative(WithoutKeyDetails(validate(out)), std::nullopt, "", "");
  }
  if (!r.stopped() && object) r.ExpectEnd();
  if (r.malformed() || !r.problems().empty()) return r.Failure();
  return out;
}

// Reads one keyed item of an import bundle (course, user, group) and checks its rules.
template <typename T, typename ReadFn, typename ValidateFn>
void ReadKeyedItem(JsonReader& r, JsonValue& v, int depth, std::vector<T>& out, ReadFn&& read,
                   ValidateFn&& validate) {
  std::optional<JsonObject> object = r.Object(v, depth);
  if (!object) return;
  T item;
  if (!read(r, *object, depth, true, item)) return;
  std::vector<ErrorDetail> errors = validate(item);
  if (errors.empty()) {
    out.push_back(std::move(item));
  } else {
    r.problems().AddRelative(std::move(errors), r.index(), r.Pointer(), "key");
  }
}

// The "user" (`is_user`) or "course" key of an item that names both, into `user` or `course`.
void ReadUserOrCourseKey(JsonReader& r, JsonValue& value, int depth, bool is_user,
                         std::string& user, std::string& course) {
  std::optional<std::string_view> s = r.String(value, depth + 1);
  if (!s) return;
  if (!domain::IsValidKey(*s)) {
    r.Report(fmt::format("'{}' is not a valid {} key ({})", internal::Clip(*s, 140),
                         is_user ? "user" : "course", kKeyRule));
    return;
  }
  (is_user ? user : course).assign(*s);
}

void ReadEnrollmentItem(JsonReader& r, JsonValue& v, int depth,
                        std::vector<domain::Enrollment>& out) {
  std::optional<JsonObject> object = r.Object(v, depth);
  if (!object) return;
  domain::Enrollment e;
  const bool shaped =
      ReadShape(r, *object, depth, Shape(kEnrollmentFields, kEnrollmentRequired, true),
                [&](std::size_t field, JsonValue& value) {
                  if (field == 2) {
                    if (!r.IsNull(value)) e.enrolled_at = r.Time(value, depth + 1);
                    return;
                  }
                  ReadUserOrCourseKey(r, value, depth, field == 0, e.user, e.course);
                });
  if (shaped) out.push_back(std::move(e));
}

// An imported certification: issued no later than 24 h from now (like attempts), expiring
// after it was issued.
void ReadCertificationItem(JsonReader& r, JsonValue& v, int depth, Instant now,
                           std::vector<domain::ImportedCertification>& out) {
  std::optional<JsonObject> object = r.Object(v, depth);
  if (!object) return;
  domain::ImportedCertification c;
  bool times_ok = true;
  const bool shaped =
      ReadShape(r, *object, depth, Shape(kCertificationFields, kCertificationRequired, true),
                [&](std::size_t field, JsonValue& value) {
                  if (field == 2 || field == 3) {
                    if (field == 3 && r.IsNull(value)) return;
                    const std::optional<Instant> at = r.Time(value, depth + 1);
                    if (!at) {
                      times_ok = false;
                      return;
                    }
                    (field == 2 ? c.issued_at : c.expires_at.emplace()) = *at;
                    return;
                  }
                  ReadUserOrCourseKey(r, value, depth, field == 0, c.user, c.course);
                });
  if (!shaped || !times_ok) return;
  if (c.issued_at.ms > now.ms + kMsPerDay) {
    r.Report("issued_at is more than 24 hours in the future");
    return;
  }
  if (c.expires_at && c.expires_at->ms <= c.issued_at.ms) {
    r.Report("expires_at must be after issued_at");
    return;
  }
  out.push_back(std::move(c));
}

void ReadBundle(JsonReader& r, JsonObject& root, Instant now, domain::WriteBatch& batch) {
  AttemptReader attempts(r, now);
  (void)r.Fields(root, 1, kBundleSections, [&](std::size_t section, JsonValue& value) {
    if (r.IsNull(value)) return;
    switch (section) {
      case kCourses:
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          ReadKeyedItem(r, item, depth, batch.courses.items, ReadCourse, domain::ValidateCourse);
        });
        break;
      case kGroups:
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          ReadKeyedItem(r, item, depth, batch.groups.items, ReadGroup, domain::ValidateGroup);
        });
        break;
      case kUsers: {
        std::vector<domain::User> users;
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          ReadKeyedItem(r, item, depth, users, ReadUser, domain::ValidateUser);
        });
        // The service hashes passwords; password_hash stays empty here.
        for (domain::User& u : users) batch.users.items.push_back({std::move(u), std::nullopt});
        break;
      }
      case kEnrollments:
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          ReadEnrollmentItem(r, item, depth, batch.enrollments.items);
        });
        break;
      case kAttempts:
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          attempts.Read(item, depth, batch.attempts.items);
        });
        break;
      case kCertifications:
        ReadSection(r, value, 2, [&](JsonValue& item, int depth) {
          ReadCertificationItem(r, item, depth, now, batch.certifications.items);
        });
        break;
      default:
        break;
    }
  });
}

}  // namespace

Result<domain::WriteBatch> ParseAttempts(std::string_view body, Instant now) {
  JsonReader r(body, "body", "request");
  domain::WriteBatch batch;
  batch.attempts.origin = {"", true};
  std::optional<JsonArray> array = r.RootArray("expected an array of attempts");
  if (array) {
    AttemptReader attempts(r, now);
    const bool complete =
        ReadItems(r, *array, 1, domain::kMaxAttemptsPerRequest,
                  [&](JsonValue& item, int d) { attempts.Read(item, d, batch.attempts.items); });
    if (complete && !r.stopped()) r.ExpectEnd();
  }
  if (r.malformed() || !r.problems().empty()) return r.Failure();
  return batch;
}

Result<domain::Course> ParseCourse(std::string_view key, std::string_view body) {
  return ParseKeyed<domain::Course>("course", key, body, ReadCourse, domain::ValidateCourse);
}

Result<domain::User> ParseUser(std::string_view key, std::string_view body) {
  return ParseKeyed<domain::User>("user", key, body, ReadUser, domain::ValidateUser);
}

Result<domain::Group> ParseGroup(std::string_view key, std::string_view body) {
  return ParseKeyed<domain::Group>("group", key, body, ReadGroup, domain::ValidateGroup);
}

Result<std::optional<Instant>> ParseEnrollment(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::optional<Instant>();
  }
  JsonReader r(body, "body", "request");
  std::optional<Instant> enrolled_at;
  std::optional<JsonObject> object = r.RootObject("expected an object like {\"enrolled_at\": ...}");
  if (object) {
    (void)r.Fields(*object, 1, FieldNames(kEnrollmentFields).subspan(2),
                   [&](std::size_t, JsonValue& value) {
                     if (!r.IsNull(value)) enrolled_at = r.Time(value, 2);
                   });
    if (!r.stopped()) r.ExpectEnd();
  }
  if (r.malformed() || !r.problems().empty()) return r.Failure();
  return enrolled_at;
}

Result<domain::WriteBatch> ParseImportJson(std::string_view document, Instant now) {
  JsonReader r(document, "file", "file");
  domain::WriteBatch batch;
  batch.courses.origin = {"/courses", true};
  batch.groups.origin = {"/groups", true};
  batch.users.origin = {"/users", true};
  batch.enrollments.origin = {"/enrollments", true};
  batch.attempts.origin = {"/attempts", true};
  batch.certifications.origin = {"/certifications", true};
  const std::optional<JsonType> type = r.RootType();
  if (type == JsonType::array) {
    // A bare array of attempts, as POSTed but without the per-request limit.
    batch.attempts.origin = {"", true};
    std::optional<JsonArray> array = r.RootArray("expected an array");
    if (array) {
      AttemptReader attempts(r, now);
      const bool complete = ReadItems(r, *array, 1, SIZE_MAX, [&](JsonValue& item, int d) {
        attempts.Read(item, d, batch.attempts.items);
      });
      if (complete && !r.stopped()) r.ExpectEnd();
    }
  } else if (type) {
    std::optional<JsonObject> root = r.RootObject(
        "expected an array of attempts or an object with courses, groups, users, enrollments, "
        "attempts and certifications");
    if (root) {
      ReadBundle(r, *root, now, batch);
      if (!r.stopped()) r.ExpectEnd();
    }
  }
  if (r.malformed() || !r.problems().empty()) return r.Failure();
  return batch;
}

}  // namespace cohort::ingest
