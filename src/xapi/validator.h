#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "common/status.h"
#include "xapi/statement.h"

// The statement validator behind ParseStatements and AgentKey: walks a simdjson DOM element,
// records every rule broken (an ErrorDetail with the JSON pointer and the section), and
// gathers what Statement reports. Internal to cohort_xapi.
namespace cohort::xapi::internal {

// The most problems one answer names; the walk stops adding (and soon stops) past it.
inline constexpr std::size_t kMaxProblems = 20;
// JSON nesting deeper than this is malformed (the root is at depth 1).
inline constexpr std::size_t kMaxJsonDepth = 64;

// One validation pass over one document. Not thread-safe; one per parse.
class Validator {
 public:
  Validator() = default;
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // Validates one statement (the root of a PUT, or an element of a POST batch); `index` is the
  // element's index in a batch, which also prefixes the pointers. The returned Statement is
  // meaningful only when no problem was recorded.
  Statement ValidateStatement(simdjson::dom::element statement, std::optional<std::size_t> index);

  // Validates an Agent or identified Group (the `agent` query parameter) and returns its key;
  // empty after recording a problem.
  std::string ValidateAgentParameter(simdjson::dom::element agent);

  bool full() const { return problems_.size() >= kMaxProblems; }
  const std::vector<ErrorDetail>& problems() const { return problems_; }

 private:
  enum class AgentRole { kActor, kObject, kInstructor, kTeam, kMember, kAuthority, kParameter };
  struct AgentInfo {
    std::string key;  // empty for an anonymous group
    std::vector<std::string> members;
  };
  class Members;
  class Scope;

  void Report(std::string reason);
  std::optional<Members> Object(simdjson::dom::element e, std::string_view what,
                                std::initializer_list<std::string_view> allowed,
                                std::string_view section);
  void Require(const Members& m, std::string_view name, std::string_view what,
               std::string_view section);
  std::optional<std::string_view> String(simdjson::dom::element e, std::string_view what,
                                         std::string_view section);
  std::optional<double> Number(simdjson::dom::element e, std::string_view what,
                               std::string_view section);
  std::optional<bool> Bool(simdjson::dom::element e, std::string_view what,
                           std::string_view section);
  std::optional<std::string> Iri(simdjson::dom::element e, std::string_view what,
                                 std::string_view section);
  std::optional<std::string> Uuid(simdjson::dom::element e, std::string_view what,
                                  std::string_view section);
  std::optional<Instant> Timestamp(simdjson::dom::element e, std::string_view what,
                                   std::string_view section);
  void LanguageMap(simdjson::dom::element e, std::string_view what, std::string_view section);
  void Extensions(simdjson::dom::element e, std::string_view what);
  void CheckDuplicates(simdjson::dom::element e);

  Statement StatementBody(simdjson::dom::element e, bool sub);
  std::optional<AgentInfo> Agent(simdjson::dom::element e, AgentRole role);
  std::optional<std::string> Verb(simdjson::dom::element e);
  void StatementObject(simdjson::dom::element e, bool sub, Statement& s);
  std::optional<std::string> Activity(simdjson::dom::element e, bool object_type_checked);
  void ActivityDefinition(simdjson::dom::element e);
  void InteractionComponents(simdjson::dom::element e, std::string_view list);
  std::optional<std::string> StatementRef(simdjson::dom::element e, std::string_view what,
                                          std::string_view section);
  std::optional<Statement::Outcome> Result(simdjson::dom::element e);
  void Score(simdjson::dom::element e, Statement::Outcome& outcome);
  void Context(simdjson::dom::element e, Statement& s, std::vector<std::string>& agents,
               std::vector<std::string>& activities);
  void Attachments(simdjson::dom::element e);

  std::vector<std::string> path_;  // JSON pointer segments, already escaped
  std::optional<std::size_t> index_;
  std::vector<ErrorDetail> problems_;
};

// The JSON pointer token of `key` ("~" -> "~0", "/" -> "~1"), clipped to 128 bytes.
std::string PointerToken(std::string_view key);

}  // namespace cohort::xapi::internal
