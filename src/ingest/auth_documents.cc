#include "ingest/auth_documents.h"

#include <array>

#include "domain/key.h"
#include "ingest/json_reader.h"

namespace cohort::ingest {
namespace {

using internal::Clip;
using internal::FieldBit;
using internal::FieldNames;
using internal::JsonObject;
using internal::JsonReader;
using internal::JsonValue;

// Reads a root object with the fields `names` (those in `required` must be there), calling
// read(i, value) for each field present; returns `out` or every problem found.
template <typename T, typename Read>
Result<T> ParseObject(std::string_view body, const char* shape, FieldNames names,
                      std::uint32_t required, T out, Read&& read) {
  JsonReader r(body, "body", "request");
  if (r.malformed()) return r.Failure();
  std::optional<JsonObject> object = r.RootObject(shape);
  if (object) {
    std::optional<std::uint32_t> seen = r.Fields(
        *object, 1, names, [&](std::size_t i, JsonValue& value) { read(r, i, value, out); });
    if (seen) r.RequireFields(*seen, required, names);
    if (!r.stopped()) r.ExpectEnd();
  }
  if (r.malformed() || !r.problems().empty()) return r.Failure();
  return out;
}

// A string field of `min`-`max` bytes into `out`.
void ReadText(JsonReader& r, JsonValue& value, std::size_t min, std::size_t max, const char* what,
              std::string& out) {
  std::optional<std::string_view> s = r.String(value, 2);
  if (!s) return;
  if (s->size() < min || s->size() > max) {
    r.Report(min == 0 ? fmt::format("{} must be at most {} bytes", what, max)
                      : fmt::format("{} must be {}-{} bytes", what, min, max));
    return;
  }
  out.assign(*s);
}

// A key field (SPEC §9) into `out`.
void ReadKey(JsonReader& r, JsonValue& value, const char* what, std::string& out) {
  std::optional<std::string_view> s = r.String(value, 2);
  if (!s) return;
  if (!domain::IsValidKey(*s)) {
    r.Report(fmt::format("'{}' is not a valid {} key (1-128 bytes of A-Z a-z 0-9 . _ -)", Clip(*s),
                         what));
    return;
  }
  out.assign(*s);
}

constexpr std::array<std::string_view, 3> kSignInFields = {"email", "password", "account"};
constexpr std::array<std::string_view, 2> kPasswordFields = {"current_password", "new_password"};
constexpr std::array<std::string_view, 2> kTokenFields = {"name", "scopes"};
constexpr std::array<std::string_view, 4> kAwardFields = {"user", "course", "title", "note"};

}  // namespace

Result<SignInRequest> ParseSignIn(std::string_view body) {
  return ParseObject(body, "expected an object like {\"email\": ..., \"password\": ...}",
                     kSignInFields, FieldBit(0) | FieldBit(1), SignInRequest{},
                     [](JsonReader& r, std::size_t i, JsonValue& value, SignInRequest& out) {
                       if (i == 0) ReadText(r, value, 1, 254, "an email", out.email);
                       if (i == 1) ReadText(r, value, 0, 1024, "a password", out.password);
                       if (i == 2 && !r.IsNull(value))
                         ReadKey(r, value, "account", out.account.emplace());
                     });
}

Result<PasswordChange> ParsePasswordChange(std::string_view body) {
  return ParseObject(body,
                     "expected an object like {\"current_password\": ..., \"new_password\": ...}",
                     kPasswordFields, FieldBit(0) | FieldBit(1), PasswordChange{},
                     [](JsonReader& r, std::size_t i, JsonValue& value, PasswordChange& out) {
                       if (i == 0) ReadText(r, value, 0, 1024, "a password", out.current_password);
                       if (i == 1) ReadText(r, value, 8, 1024, "a password", out.new_password);
                     });
}

Result<TokenRequest> ParseTokenRequest(std::string_view body) {
  return ParseObject(
      body, "expected an object like {\"name\": ..., \"scopes\": [\"read\", ...]}", kTokenFields,
      FieldBit(0) | FieldBit(1), TokenRequest{},
      [](JsonReader& r, std::size_t i, JsonValue& value, TokenRequest& out) {
        if (i == 0) ReadText(r, value, 1, 200, "a token name", out.name);
        if (i != 1) return;
        std::optional<std::vector<std::string>> names = r.Strings(value, 2);
        if (!names) return;
        if (names->empty()) r.Report("a token needs at least one scope");
        for (std::size_t s = 0; s < names->size(); ++s) {
          if (std::optional<domain::Scope> scope = domain::ParseScope((*names)[s])) {
            out.scopes.Add(*scope);
          } else {
            internal::PathScope at(r, s);
            r.Report(fmt::format("unknown scope '{}' (read, ingest or admin)", Clip((*names)[s])));
          }
        }
      });
}

Result<AwardRequest> ParseAward(std::string_view body) {
  return ParseObject(body, "expected an object like {\"user\": ..., \"title\": ...}", kAwardFields,
                     FieldBit(0) | FieldBit(2), AwardRequest{},
                     [](JsonReader& r, std::size_t i, JsonValue& value, AwardRequest& out) {
                       if (i == 0) ReadKey(r, value, "user", out.user);
                       if (i == 1 && !r.IsNull(value))
                         ReadKey(r, value, "course", out.course.emplace());
                       if (i == 2) ReadText(r, value, 1, 200, "a title", out.title);
                       if (i == 3 && !r.IsNull(value))
                         ReadText(r, value, 0, 2000, "a note", out.note);
                     });
}

}  // namespace cohort::ingest
