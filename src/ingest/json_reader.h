#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/status.h"
#include "common/time.h"
#include "ingest/json_documents.h"
#include "ingest/problems.h"

namespace cohort::ingest::internal {

using JsonValue = simdjson::ondemand::value;
using JsonArray = simdjson::ondemand::array;
using JsonObject = simdjson::ondemand::object;
using JsonType = simdjson::ondemand::json_type;
// The fields an object shape allows; field i is bit i of the masks Fields() returns (<= 32).
using FieldNames = std::span<const std::string_view>;

// One JSON document read with simdjson ondemand, and everything said about it so far: the
// JSON pointer of the value being read, the batch index of the current item, the problems
// found (ErrorDetails, up to kMaxDetails) and whether the document turned out unreadable.
//
// Readers walk the document once, in order. Every value is read or walked (Skip), so the whole
// document is checked as JSON and nesting deeper than kMaxDepth is found even inside values
// that are rejected; only what a reader gives up on early (past a limit) is skipped unread.
// A value at depth d is inside d - 1 containers; the root is at depth 1.
//
// Each reader returns nullopt when the value is unusable: either a problem was recorded (wrong
// type, out of range...) and reading may go on, or the document is malformed and `stopped()`
// is true. Not thread-safe; one per parse (it owns its simdjson parser).
class JsonReader {
 public:
  // Runs simdjson's first stage over a padded copy of `text` (this checks UTF-8). `what` names
  // the input in messages about its syntax ("body"), `noun` in the summary ("request").
  JsonReader(std::string_view text, std::string_view what, std::string_view noun);
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // True when the document is unreadable or the problems reached the cap: stop reading.
  bool stopped() const { return fatal_.has_value() || problems_.full(); }
  bool malformed() const { return fatal_.has_value(); }
  // Requires: malformed() or problems were reported.
  Status Failure() const;
  Problems& problems() { return problems_; }

  // The root value. These report "expected an array/object" at "" for another type (after
  // checking that the root is well-formed JSON).
  std::optional<JsonType> RootType();
  std::optional<JsonArray> RootArray(std::string_view reason);
  std::optional<JsonObject> RootObject(std::string_view reason);
  // Checks that nothing but whitespace follows the root value.
  void ExpectEnd();

  // Containers at `depth` (of the value itself).
  std::optional<JsonArray> Array(JsonValue& v, int depth);
  std::optional<JsonObject> Object(JsonValue& v, int depth);
  // Walks the fields of `object` (at `depth`): calls on_field(i, value) for the first occurrence
  // of names[i] with the field pushed on the pointer; reports unknown and duplicate fields.
  // Returns the mask of fields seen, or nullopt when reading stopped.
  template <typename OnField>
  std::optional<std::uint32_t> Fields(JsonObject& object, int depth, FieldNames names,
                                      OnField&& on_field);
  // Calls f(i, element, depth + 1) for each element of `array` (at `depth`) with its index
  // pushed on the pointer, until f returns false or reading stops. Returns whether every
  // element was visited.
  template <typename F>
  bool Elements(JsonArray& array, int depth, F&& f);
  // Reports "missing field 'x'" at the current pointer for every required field not seen.
  void RequireFields(std::uint32_t seen, std::uint32_t required, FieldNames names);

  // Scalars. Integers must be written as JSON integers (1.0 and 1e3 are not).
  // True (and the value consumed) when `v` is null: an optional field given as null is absent.
  bool IsNull(JsonValue& v);
  std::optional<std::string_view> String(JsonValue& v, int depth);
  std::optional<bool> Bool(JsonValue& v, int depth);
  std::optional<std::int64_t> Int(JsonValue& v, int depth);
  std::optional<int> Int32(JsonValue& v, int depth);
  std::optional<double> Number(JsonValue& v, int depth);
  std::optional<Instant> Time(JsonValue& v, int depth);
  // An array of strings, each copied; problems name the element.
  std::optional<std::vector<std::string>> Strings(JsonValue& v, int depth);
  // Walks any value, checking it is well-formed and not nested too deep.
  bool Skip(JsonValue& v, int depth);

  // The JSON pointer of the value being read. Segments are pushed and popped by PathScope.
  // Requires: fewer than kMaxPath segments, which holds because containers nested deeper than
  // kMaxDepth are refused before anything is pushed inside them.
  void Push(std::string_view key) { path_[path_size_++] = {key, 0, false}; }
  void Push(std::size_t index) { path_[path_size_++] = {{}, index, true}; }
  void Pop() { --path_size_; }
  std::string Pointer() const;
  // The batch index put on the problems found from now on (nullopt outside batches).
  void SetIndex(std::optional<std::size_t> index) { index_ = index; }
  std::optional<std::size_t> index() const { return index_; }
  // Records a problem at the current pointer.
  void Report(std::string reason);
  // Records the document as unreadable; returns false, for `return Malformed(e);`.
  bool Malformed(simdjson::error_code error);

 private:
  struct Segment {
    std::string_view key;  // a field name: static, or in the parser's string buffer
    std::size_t index;
    bool is_index;
  };

  std::optional<JsonType> Type(JsonValue& v);
  // Checks a value of the wrong type is well-formed, then reports `reason` at it.
  void WrongType(JsonValue& v, int depth, std::string_view reason);
  bool SkipRoot();
  bool MalformedAt(std::string_view reason, const char* where);
  bool TooDeep(JsonValue& v);
  std::size_t OffsetOf(const char* where) const;
  bool CheckNumberToken(std::string_view raw);

  simdjson::ondemand::parser parser_;
  simdjson::padded_string text_;
  simdjson::ondemand::document doc_;
  bool iterating_ = false;  // doc_ is set: the first stage succeeded
  std::string what_;
  std::string noun_;
  std::optional<Status> fatal_;
  Problems problems_;
  static constexpr std::size_t kMaxPath = kMaxDepth + 2;
  std::array<Segment, kMaxPath> path_;
  std::size_t path_size_ = 0;
  std::optional<std::size_t> index_;
};

// Pushes one pointer segment for the lifetime of the scope.
class [[nodiscard]] PathScope {
 public:
  PathScope(JsonReader& reader, std::string_view key) : reader_(reader) { reader_.Push(key); }
  PathScope(JsonReader& reader, std::size_t index) : reader_(reader) { reader_.Push(index); }
  ~PathScope() { reader_.Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  JsonReader& reader_;
};

constexpr std::uint32_t FieldBit(std::size_t i) { return std::uint32_t{1} << i; }

template <typename OnField>
std::optional<std::uint32_t> JsonReader::Fields(JsonObject& object, int depth, FieldNames names,
                                                OnField&& on_field) {
  std::uint32_t seen = 0;
  for (auto result : object) {
    if (auto error = result.error()) {
      Malformed(error);
      return std::nullopt;
    }
    simdjson::ondemand::field& field = result.value_unsafe();
    // Match the raw key first: unescaping every key costs more than the rest of a field.
    const simdjson::ondemand::raw_json_string raw = field.key();
    std::size_t i = 0;
    while (i < names.size() && !raw.unsafe_is_equal(names[i])) ++i;
    std::string_view key;
    if (i == names.size()) {
      // Unknown, or a known name spelled with escapes ("\u0069d").
      if (auto error = field.unescaped_key().get(key)) {
        Malformed(error);
        return std::nullopt;
      }
      i = 0;
      while (i < names.size() && names[i] != key) ++i;
    } else {
      key = names[i];
    }
    JsonValue& value = field.value();
    if (i == names.size() || (seen & FieldBit(i)) != 0) {
      PathScope scope(*this, key);
      if (!Skip(value, depth + 1)) return std::nullopt;
      Report(fmt::format("{} field '{}'", i == names.size() ? "unknown" : "duplicate", Clip(key)));
    } else {
      seen |= FieldBit(i);
      PathScope scope(*this, key);
      on_field(i, value);
    }
    if (stopped()) return std::nullopt;
  }
  return seen;
}

template <typename F>
bool JsonReader::Elements(JsonArray& array, int depth, F&& f) {
  std::size_t i = 0;
  for (auto element : array) {
    JsonValue item;
    if (auto error = element.get(item)) return Malformed(error);
    PathScope scope(*this, i);
    if (!f(i, item, depth + 1) || stopped()) return false;
    ++i;
  }
  return true;
}

}  // namespace cohort::ingest::internal
