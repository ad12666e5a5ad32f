#include "xapi/statement.h"

#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "xapi/formats.h"
#include "xapi/validator.h"

namespace cohort::xapi {
namespace {

namespace dom = simdjson::dom;
using internal::Validator;

Status MalformedJson(simdjson::error_code error) {
  std::string reason;
  switch (error) {
    case simdjson::UTF8_ERROR:
      reason = "the body is not valid UTF-8";
      break;
    case simdjson::DEPTH_ERROR:
      reason = fmt::format("the body nests JSON deeper than {} levels", internal::kMaxJsonDepth);
      break;
    case simdjson::EMPTY:
      reason = "the body is empty; expected JSON";
      break;
    default:
      reason = fmt::format("malformed JSON: {}", simdjson::error_message(error));
      break;
  }
  std::string message = reason;
  return Status::Malformed(std::move(message), {{std::nullopt, "", std::move(reason)}});
}

// "3 problems in the statement(s); nothing was stored (first: /0/actor/mbox: ...)".
Status Problems(const std::vector<ErrorDetail>& problems) {
  const ErrorDetail& first = problems.front();
  const std::string where = first.pointer.empty() ? std::string("the root") : first.pointer;
  std::string message;
  if (problems.size() == 1) {
    message = fmt::format("1 problem in the statement(s); nothing was stored ({}: {})", where,
                          first.reason);
  } else {
    message = fmt::format("{}{} problems in the statement(s); nothing was stored (first: {}: {})",
                          problems.size() >= internal::kMaxProblems ? "at least " : "",
                          problems.size(), where, first.reason);
  }
  return Status::Malformed(std::move(message), problems);
}

// A DOM parser limited to kMaxJsonDepth, and the document it parsed.
class Document {
 public:
  explicit Document(std::string_view text) : text_(text.data(), text.size()) {
    if (auto error = parser_.allocate(text_.size() == 0 ? 1 : text_.size(),
                                      internal::kMaxJsonDepth)) {
      error_ = error;
      return;
    }
    error_ = parser_.parse(text_).get(root_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  simdjson::error_code error() const { return error_; }
  dom::element root() const { return root_; }

 private:
  simdjson::padded_string text_;
  dom::parser parser_;
  dom::element root_;
  simdjson::error_code error_ = simdjson::SUCCESS;
};

}  // namespace

Result<std::vector<Statement>> ParseStatements(std::string_view body) {
  const Document doc(body);
  if (doc.error() != simdjson::SUCCESS) return MalformedJson(doc.error());
  Validator validator;
  std::vector<Statement> statements;
  dom::array array;
  if (doc.root().get_array().get(array) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (dom::element element : array) {
      if (validator.full()) break;
      statements.push_back(validator.ValidateStatement(element, i++));
    }
  } else {
    // An object, or something else, which the validator names as "must be a JSON object".
    statements.push_back(validator.ValidateStatement(doc.root(), std::nullopt));
  }
  if (!validator.problems().empty()) return Problems(validator.problems());
  return statements;
}

Result<Statement> ParseStatement(std::string_view body) {
  const Document doc(body);
  if (doc.error() != simdjson::SUCCESS) return MalformedJson(doc.error());
  if (doc.root().is_array()) {
    return Problems({{std::nullopt, "",
                      "the body must be one statement object, not an array (xAPI 1.0.3 Part "
                      "Three §2.1.1, PUT Statements)"}});
  }
  Validator validator;
  Statement statement = validator.ValidateStatement(doc.root(), std::nullopt);
  if (!validator.problems().empty()) return Problems(validator.problems());
  return statement;
}

Result<std::string> AgentKey(std::string_view agent_json) {
  const Document doc(agent_json);
  if (doc.error() != simdjson::SUCCESS) return MalformedJson(doc.error());
  Validator validator;
  std::string key = validator.ValidateAgentParameter(doc.root());
  if (!validator.problems().empty()) {
    const ErrorDetail& first = validator.problems().front();
    return Status::Malformed(
        fmt::format("the agent is not a valid Agent or identified Group ({}: {})",
                    first.pointer.empty() ? "the root" : first.pointer, first.reason),
        validator.problems());
  }
  return key;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string LowerUuid(std::string_view uuid) { return internal::AsciiLower(uuid); }

}  // namespace cohort::xapi
