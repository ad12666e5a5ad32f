#include "ingest/json_reader.h"

#include <limits>
#include <utility>

#include "ingest/json_documents.h"

namespace cohort::ingest::internal {
namespace {

using simdjson::error_code;

const char* Describe(error_code error) {
  switch (error) {
    case simdjson::TAPE_ERROR:
      return "unexpected character, or a missing comma, colon, bracket or brace";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "unbalanced brackets: the document ends inside an array or object, or goes on "
             "after its end";
    case simdjson::UNCLOSED_STRING:
      return "a string is not closed";
    case simdjson::STRING_ERROR:
      return "a string has an invalid escape";
    case simdjson::UNESCAPED_CHARS:
      return "a string contains an unescaped control character";
    case simdjson::NUMBER_ERROR:
      return "not a valid number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "not a valid literal (true, false or null)";
    default:
      return simdjson::error_message(error);
  }
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool IsJsonNumber(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i == s.size();
}

}  // namespace

JsonReader::JsonReader(std::string_view text, std::string_view what, std::string_view noun)
    : text_(text.data(), text.size()), what_(what), noun_(noun), problems_(kMaxDetails) {
  if (text_.size() > parser_.max_capacity()) {
    fatal_ = Status::TooLarge(
        fmt::format("the {} is larger than the 4 GiB a JSON document may be", what_));
    return;
  }
  // simdjson checks depth only in debug builds, and there by assertion: leave it room so that
  // our own limit (see Skip) always answers first.
  if (auto error = parser_.allocate(text_.size(), kMaxDepth + 2)) {
    fatal_ = Status::Internal(
        fmt::format("cannot allocate a JSON parser: {}", simdjson::error_message(error)));
    return;
  }
  if (auto error = parser_.iterate(text_).get(doc_)) {
    Malformed(error);
    return;
  }
  iterating_ = true;
}

Status JsonReader::Failure() const {
  if (fatal_) return *fatal_;
  return problems_.ToStatus(noun_);
}

std::size_t JsonReader::OffsetOf(const char* where) const {
  if (where == nullptr || where < text_.data()) return text_.size();
  const auto offset = static_cast<std::size_t>(where - text_.data());
  return offset < text_.size() ? offset : text_.size();
}

bool JsonReader::Malformed(error_code error) {
  if (fatal_) return false;
  switch (error) {
    case simdjson::UTF8_ERROR:
      fatal_ = Status::Malformed(fmt::format("{} is not valid UTF-8", what_));
      return false;
    case simdjson::EMPTY:
      fatal_ = Status::Malformed(fmt::format("{} is empty; expected JSON", what_));
      return false;
    default:
      break;
  }
  // Before iteration starts (a first-stage error) the document has no position to ask for.
  // simdjson finds unbalanced brackets at the start, where a position would mislead.
  const char* where = nullptr;
  if (!iterating_ || error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT ||
      doc_.current_location().get(where) != simdjson::SUCCESS) {
    where = nullptr;
  }
  return MalformedAt(Describe(error), where);
}

bool JsonReader::MalformedAt(std::string_view reason, const char* where) {
  if (fatal_) return false;
  std::string message =
      where == nullptr ? fmt::format("malformed JSON: {}", reason)
                       : fmt::format("malformed JSON near byte {}: {}", OffsetOf(where), reason);
  fatal_ = Status::Malformed(std::move(message), {{index_, Pointer(), std::string(reason)}});
  return false;
}

bool JsonReader::TooDeep(JsonValue& v) {
  const char* where = nullptr;
  if (v.current_location().get(where) != simdjson::SUCCESS) where = nullptr;
  return MalformedAt(fmt::format("nesting deeper than {} levels", kMaxDepth), where);
}

std::string JsonReader::Pointer() const {
  std::string out;
  for (std::size_t i = 0; i < path_size_; ++i) {
    const Segment& s = path_[i];
    if (s.is_index) {
      out += '/';
      out += std::to_string(s.index);
    } else {
      AppendPointerToken(out, s.key);
    }
  }
  return out;
}

void JsonReader::Report(std::string reason) { problems_.Add(index_, Pointer(), std::move(reason)); }

std::optional<JsonType> JsonReader::Type(JsonValue& v) {
  JsonType type;
  if (auto error = v.type().get(type)) {
    Malformed(error);
    return std::nullopt;
  }
  return type;
}

bool JsonReader::CheckNumberToken(std::string_view raw) {
  if (IsJsonNumber(TrimRight(raw))) return true;
  return MalformedAt(Describe(simdjson::NUMBER_ERROR), raw.data());
}

bool JsonReader::Skip(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return false;
  switch (*type) {
    case JsonType::array: {
      if (depth > static_cast<int>(kMaxDepth)) return TooDeep(v);
      JsonArray array;
      if (auto error = v.get_array().get(array)) return Malformed(error);
      for (auto element : array) {
        JsonValue child;
        if (auto error = element.get(child)) return Malformed(error);
        if (!Skip(child, depth + 1)) return false;
      }
      return true;
    }
    case JsonType::object: {
      if (depth > static_cast<int>(kMaxDepth)) return TooDeep(v);
      JsonObject object;
      if (auto error = v.get_object().get(object)) return Malformed(error);
      for (auto field : object) {
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return Malformed(error);
        JsonValue child;
        if (auto error = field.value().get(child)) return Malformed(error);
        if (!Skip(child, depth + 1)) return false;
      }
      return true;
    }
    case JsonType::string: {
      std::string_view s;
      if (auto error = v.get_string().get(s)) return Malformed(error);
      return true;
    }
    case JsonType::number:
      // Left unconsumed: the enclosing array or object steps over it.
      return CheckNumberToken(v.raw_json_token());
    case JsonType::boolean: {
      bool b;
      if (auto error = v.get_bool().get(b)) return Malformed(error);
      return true;
    }
    case JsonType::null: {
      bool is_null = false;
      if (auto error = v.is_null().get(is_null)) return Malformed(error);
      if (!is_null) return Malformed(simdjson::N_ATOM_ERROR);
      return true;
    }
  }
  return true;
}

void JsonReader::WrongType(JsonValue& v, int depth, std::string_view reason) {
  if (!Skip(v, depth)) return;
  Report(std::string(reason));
}

std::optional<JsonType> JsonReader::RootType() {
  if (fatal_) return std::nullopt;
  JsonType type;
  if (auto error = doc_.type().get(type)) {
    Malformed(error);
    return std::nullopt;
  }
  return type;
}

bool JsonReader::SkipRoot() {
  const std::optional<JsonType> type = RootType();
  if (!type) return false;
  switch (*type) {
    case JsonType::array: {
      JsonArray array;
      if (auto error = doc_.get_array().get(array)) return Malformed(error);
      for (auto element : array) {
        JsonValue child;
        if (auto error = element.get(child)) return Malformed(error);
        if (!Skip(child, 2)) return false;
      }
      break;
    }
    case JsonType::object: {
      JsonObject object;
      if (auto error = doc_.get_object().get(object)) return Malformed(error);
      for (auto field : object) {
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return Malformed(error);
        JsonValue child;
        if (auto error = field.value().get(child)) return Malformed(error);
        if (!Skip(child, 2)) return false;
      }
      break;
    }
    case JsonType::string: {
      std::string_view s;
      if (auto error = doc_.get_string().get(s)) return Malformed(error);
      break;
    }
    case JsonType::number: {
      std::string_view raw;
      if (auto error = doc_.raw_json_token().get(raw)) return Malformed(error);
      if (!CheckNumberToken(raw)) return false;
      // The number is left unread, so check what follows it here rather than in ExpectEnd.
      const std::string_view number = TrimRight(raw);
      const auto end = static_cast<std::size_t>(number.data() + number.size() - text_.data());
      const std::string_view rest = std::string_view(text_.data(), text_.size()).substr(end);
      const std::size_t extra = rest.find_first_not_of(" \t\r\n");
      if (extra != std::string_view::npos) {
        return MalformedAt("unexpected content after the JSON document", rest.data() + extra);
      }
      return true;
    }
    case JsonType::boolean: {
      bool b;
      if (auto error = doc_.get_bool().get(b)) return Malformed(error);
      break;
    }
    case JsonType::null: {
      bool is_null = false;
      if (auto error = doc_.is_null().get(is_null)) return Malformed(error);
      if (!is_null) return Malformed(simdjson::N_ATOM_ERROR);
      break;
    }
  }
  ExpectEnd();
  return !fatal_;
}

std::optional<JsonArray> JsonReader::RootArray(std::string_view reason) {
  const std::optional<JsonType> type = RootType();
  if (!type) return std::nullopt;
  if (*type != JsonType::array) {
    if (SkipRoot()) Report(std::string(reason));
    return std::nullopt;
  }
  JsonArray array;
  if (auto error = doc_.get_array().get(array)) {
    Malformed(error);
    return std::nullopt;
  }
  return array;
}

std::optional<JsonObject> JsonReader::RootObject(std::string_view reason) {
  const std::optional<JsonType> type = RootType();
  if (!type) return std::nullopt;
  if (*type != JsonType::object) {
    if (SkipRoot()) Report(std::string(reason));
    return std::nullopt;
  }
  JsonObject object;
  if (auto error = doc_.get_object().get(object)) {
    Malformed(error);
    return std::nullopt;
  }
  return object;
}

void JsonReader::ExpectEnd() {
  if (fatal_) return;
  const char* where = nullptr;
  const error_code error = doc_.current_location().get(where);
  if (error == simdjson::OUT_OF_BOUNDS) return;  // the whole document was read
  if (error != simdjson::SUCCESS) {
    Malformed(error);
    return;
  }
  MalformedAt("unexpected content after the JSON document", where);
}

std::optional<JsonArray> JsonReader::Array(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::array) {
    WrongType(v, depth, "expected an array");
    return std::nullopt;
  }
  if (depth > static_cast<int>(kMaxDepth)) {
    TooDeep(v);
    return std::nullopt;
  }
  JsonArray array;
  if (auto error = v.get_array().get(array)) {
    Malformed(error);
    return std::nullopt;
  }
  return array;
}

std::optional<JsonObject> JsonReader::Object(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::object) {
    WrongType(v, depth, "expected an object");
    return std::nullopt;
  }
  if (depth > static_cast<int>(kMaxDepth)) {
    TooDeep(v);
    return std::nullopt;
  }
  JsonObject object;
  if (auto error = v.get_object().get(object)) {
    Malformed(error);
    return std::nullopt;
  }
  return object;
}

void JsonReader::RequireFields(std::uint32_t seen, std::uint32_t required, FieldNames names) {
  const std::uint32_t missing = required & ~seen;
  if (missing == 0) return;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if ((missing & FieldBit(i)) != 0) Report(fmt::format("missing field '{}'", names[i]));
  }
}

bool JsonReader::IsNull(JsonValue& v) {
  JsonType type;
  if (v.type().get(type) != simdjson::SUCCESS || type != JsonType::null) return false;
  bool is_null = false;
  if (auto error = v.is_null().get(is_null)) return Malformed(error);
  if (!is_null) return Malformed(simdjson::N_ATOM_ERROR);
  return true;
}

std::optional<std::string_view> JsonReader::String(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::string) {
    WrongType(v, depth, "expected a string");
    return std::nullopt;
  }
  std::string_view s;
  if (auto error = v.get_string().get(s)) {
    Malformed(error);
    return std::nullopt;
  }
  return s;
}

std::optional<bool> JsonReader::Bool(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::boolean) {
    WrongType(v, depth, "expected a boolean");
    return std::nullopt;
  }
  bool b;
  if (auto error = v.get_bool().get(b)) {
    Malformed(error);
    return std::nullopt;
  }
  return b;
}

std::optional<std::int64_t> JsonReader::Int(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::number) {
    WrongType(v, depth, "expected an integer");
    return std::nullopt;
  }
  std::int64_t n;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return n;
  // simdjson says only "not an int64": tell a fraction or exponent from a too-large integer
  // from a malformed number by the token itself.
  const std::string_view raw = TrimRight(v.raw_json_token());
  if (!CheckNumberToken(raw)) return std::nullopt;
  if (raw.find_first_of(".eE") != std::string_view::npos) {
    Report("expected an integer");
  } else {
    Report("number out of range");
  }
  return std::nullopt;
}

std::optional<int> JsonReader::Int32(JsonValue& v, int depth) {
  const std::optional<std::int64_t> n = Int(v, depth);
  if (!n) return std::nullopt;
  if (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
    Report("number out of range");
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::optional<double> JsonReader::Number(JsonValue& v, int depth) {
  const std::optional<JsonType> type = Type(v);
  if (!type) return std::nullopt;
  if (*type != JsonType::number) {
    WrongType(v, depth, "expected a number");
    return std::nullopt;
  }
  double d;
  if (v.get_double().get(d) == simdjson::SUCCESS) return d;
  if (!CheckNumberToken(v.raw_json_token())) return std::nullopt;
  Report("number out of range");
  return std::nullopt;
}

std::optional<Instant> JsonReader::Time(JsonValue& v, int depth) {
  const std::optional<std::string_view> s = String(v, depth);
  if (!s) return std::nullopt;
  std::optional<Instant> t = ParseRfc3339(*s);
  if (!t) {
    Report(fmt::format("'{}' is not an RFC 3339 time (like 2026-03-01T09:30:00Z)", Clip(*s)));
  } else if (t->ms < 0) {
    Report(TimeBeforeEpoch(*s));
    t.reset();
  }
  return t;
}

std::optional<std::vector<std::string>> JsonReader::Strings(JsonValue& v, int depth) {
  std::optional<JsonArray> array = Array(v, depth);
  if (!array) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  Elements(*array, depth, [&](std::size_t, JsonValue& item, int d) {
    if (std::optional<std::string_view> s = String(item, d)) {
      out.emplace_back(*s);
    } else {
      ok = false;
    }
    return true;
  });
  if (!ok || stopped()) return std::nullopt;
  return out;
}

}  // namespace cohort::ingest::internal
