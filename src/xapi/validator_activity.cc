// The validator's Activities (definitions, interaction components), Results (score) and
// Attachments (xAPI 1.0.3 §2.4.4.1, §2.4.5, §2.4.11).
#include <array>

#include <fmt/format.h>

#include "xapi/formats.h"
#include "xapi/validator_parts.h"

namespace cohort::xapi::internal {
namespace {

constexpr std::array<std::string_view, 10> kInteractionTypes = {
    "true-false", "choice",      "fill-in",    "long-fill-in", "matching",
    "performance", "sequencing", "likert",     "numeric",      "other"};

// The component lists an interactionType supports (§2.4.4.1, "Interaction Components").
bool SupportsList(std::string_view type, std::string_view list) {
  if (list == "choices") return type == "choice" || type == "sequencing";
  if (list == "scale") return type == "likert";
  if (list == "source" || list == "target") return type == "matching";
  if (list == "steps") return type == "performance";
  return false;
}

}  // namespace

std::optional<std::string> Validator::Activity(dom::element e, bool object_type_checked) {
  std::optional<Members> m = Object(e, "an Activity", {"objectType", "id", "definition"},
                                    "§2.4.4.1");
  if (!m) return std::nullopt;
  if (std::optional<dom::element> type = m->Get("objectType"); type && !object_type_checked) {
    Scope scope(*this, "objectType");
    std::optional<std::string_view> text = String(*type, "objectType", "§2.4.4.1");
    if (text && *text != "Activity") {
      Report(fmt::format("objectType '{}' of an Activity MUST be \"Activity\" (xAPI 1.0.3 "
                         "§2.4.4.1, §2.4.6.2)",
                         Clip(*text)));
    }
  }
  Require(*m, "id", "an Activity", "§2.4.4.1");
  std::optional<std::string> id;
  if (std::optional<dom::element> i = m->Get("id")) {
    Scope scope(*this, "id");
    id = Iri(*i, "an Activity id", "§2.4.4.1");
  }
  if (std::optional<dom::element> definition = m->Get("definition")) {
    Scope scope(*this, "definition");
    ActivityDefinition(*definition);
  }
  return id;
}

void Validator::ActivityDefinition(dom::element e) {
  static constexpr std::array<std::string_view, 5> kLists = {"choices", "scale", "source",
                                                             "target", "steps"};
  std::optional<Members> m =
      Object(e, "an Activity Definition",
             {"name", "description", "type", "moreInfo", "extensions", "interactionType",
              "correctResponsesPattern", "choices", "scale", "source", "target", "steps"},
             "§2.4.4.1");
  if (!m) return;
  for (std::string_view map : {"name", "description"}) {
    if (std::optional<dom::element> v = m->Get(map)) {
      Scope scope(*this, map);
      LanguageMap(*v, map, "§2.4.4.1");
    }
  }
  if (std::optional<dom::element> type = m->Get("type")) {
    Scope scope(*this, "type");
    (void)Iri(*type, "an Activity type", "§2.4.4.1");
  }
  if (std::optional<dom::element> more = m->Get("moreInfo")) {
    Scope scope(*this, "moreInfo");
    (void)Iri(*more, "moreInfo (an IRL)", "§2.4.4.1");
  }
  if (std::optional<dom::element> extensions = m->Get("extensions")) {
    Scope scope(*this, "extensions");
    Extensions(*extensions, "Activity Definition extensions");
  }
  std::optional<std::string_view> interaction;
  if (std::optional<dom::element> type = m->Get("interactionType")) {
    Scope scope(*this, "interactionType");
    interaction = String(*type, "interactionType", "§2.4.4.1");
    if (interaction && std::find(kInteractionTypes.begin(), kInteractionTypes.end(),
                                 *interaction) == kInteractionTypes.end()) {
      Report(fmt::format("interactionType '{}' must be one of true-false, choice, fill-in, "
                         "long-fill-in, matching, performance, sequencing, likert, numeric or "
                         "other (xAPI 1.0.3 §2.4.4.1: Interaction Activities MUST have a valid "
                         "interactionType)",
                         Clip(*interaction)));
      interaction.reset();
    }
  }
  const bool has_type = m->Has("interactionType");
  if (std::optional<dom::element> pattern = m->Get("correctResponsesPattern")) {
    Scope scope(*this, "correctResponsesPattern");
    if (!has_type) {
      Report("correctResponsesPattern belongs to an interaction Activity, which MUST have an "
             "interactionType (xAPI 1.0.3 §2.4.4.1)");
    }
    dom::array patterns;
    if (pattern->get_array().get(patterns) != simdjson::SUCCESS) {
      Report("correctResponsesPattern must be an array of strings (xAPI 1.0.3 §2.4.4.1)");
    } else {
      std::size_t i = 0;
      for (dom::element p : patterns) {
        Scope item(*this, i++);
        (void)String(p, "a response pattern", "§2.4.4.1");
      }
    }
  }
  for (std::string_view list : kLists) {
    std::optional<dom::element> v = m->Get(list);
    if (!v) continue;
    Scope scope(*this, list);
    if (!has_type) {
      Report(fmt::format("'{}' belongs to an interaction Activity, which MUST have an "
                         "interactionType (xAPI 1.0.3 §2.4.4.1)",
                         list));
    } else if (interaction && !SupportsList(*interaction, list)) {
      Report(fmt::format("a '{}' interaction has no '{}' component list (xAPI 1.0.3 §2.4.4.1, "
                         "Interaction Components)",
                         *interaction, list));
    }
    InteractionComponents(*v, list);
  }
}

void Validator::InteractionComponents(dom::element e, std::string_view list) {
  dom::array components;
  if (e.get_array().get(components) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be an array of interaction components (xAPI 1.0.3 §2.4.4.1)",
                       list));
    return;
  }
  std::vector<std::string_view> ids;
  std::size_t i = 0;
  for (dom::element component : components) {
    Scope item(*this, i++);
    std::optional<Members> m =
        Object(component, "an interaction component", {"id", "description"}, "§2.4.4.1");
    if (!m) continue;
    Require(*m, "id", "an interaction component", "§2.4.4.1");
    if (std::optional<dom::element> id = m->Get("id")) {
      Scope scope(*this, "id");
      if (std::optional<std::string_view> text = String(*id, "a component id", "§2.4.4.1")) {
        if (std::find(ids.begin(), ids.end(), *text) != ids.end()) {
          Report(fmt::format("component id '{}' repeats: within an array of interaction "
                             "components all ids MUST be distinct (xAPI 1.0.3 §2.4.4.1)",
                             Clip(*text)));
        }
        ids.push_back(*text);
      }
    }
    if (std::optional<dom::element> description = m->Get("description")) {
      Scope scope(*this, "description");
      LanguageMap(*description, "a component description", "§2.4.4.1");
    }
  }
}

std::optional<Statement::Outcome> Validator::Result(dom::element e) {
  std::optional<Members> m =
      Object(e, "a result", {"score", "success", "completion", "response", "duration", "extensions"},
             "§2.4.5");
  if (!m) return std::nullopt;
  Statement::Outcome outcome;
  if (std::optional<dom::element> score = m->Get("score")) {
    Scope scope(*this, "score");
    Score(*score, outcome);
  }
  if (std::optional<dom::element> success = m->Get("success")) {
    Scope scope(*this, "success");
    outcome.success = Bool(*success, "success", "§2.4.5");
  }
  if (std::optional<dom::element> completion = m->Get("completion")) {
    Scope scope(*this, "completion");
    (void)Bool(*completion, "completion", "§2.4.5");
  }
  if (std::optional<dom::element> response = m->Get("response")) {
    Scope scope(*this, "response");
    (void)String(*response, "response", "§2.4.5");
  }
  if (std::optional<dom::element> duration = m->Get("duration")) {
    Scope scope(*this, "duration");
    if (std::optional<std::string_view> text = String(*duration, "duration", "§2.4.5")) {
      if (std::optional<Duration> d = ParseDuration(*text)) {
        outcome.duration_ms = d->ms;
      } else {
        Report(fmt::format("duration '{}' must be an ISO 8601 duration such as \"PT1H30M5.5S\" "
                           "or \"P2W\" (xAPI 1.0.3 §4.6)",
                           Clip(*text)));
      }
    }
  }
  if (std::optional<dom::element> extensions = m->Get("extensions")) {
    Scope scope(*this, "extensions");
    Extensions(*extensions, "result extensions");
    std::int64_t hints = 0;
    if (extensions->at_key(kHintsExtension).get_int64().get(hints) == simdjson::SUCCESS &&
        hints >= 0) {
      outcome.hints = hints;
    }
  }
  return outcome;
}

void Validator::Score(dom::element e, Statement::Outcome& outcome) {
  std::optional<Members> m = Object(e, "a score", {"scaled", "raw", "min", "max"}, "§2.4.5.1");
  if (!m) return;
  auto number = [&](std::string_view name) -> std::optional<double> {
    std::optional<dom::element> v = m->Get(name);
    if (!v) return std::nullopt;
    Scope scope(*this, name);
    return Number(*v, name, "§2.4.5.1");
  };
  const std::optional<double> scaled = number("scaled");
  const std::optional<double> raw = number("raw");
  const std::optional<double> min = number("min");
  const std::optional<double> max = number("max");
  if (scaled) {
    if (*scaled < -1 || *scaled > 1) {
      Scope scope(*this, "scaled");
      Report(fmt::format("scaled {} must be between -1 and 1 inclusive (xAPI 1.0.3 §2.4.5.1)",
                         *scaled));
    } else {
      outcome.scaled = scaled;
    }
  }
  if (min && max && !(*min < *max)) {
    Scope scope(*this, "min");
    Report(fmt::format("min {} must be less than max {} (xAPI 1.0.3 §2.4.5.1)", *min, *max));
  }
  if (raw) {
    if ((min && *raw < *min) || (max && *raw > *max)) {
      Scope scope(*this, "raw");
      Report(fmt::format("raw {} must be between min and max inclusive (xAPI 1.0.3 §2.4.5.1)",
                         *raw));
    } else {
      outcome.raw = raw;
    }
  }
}

void Validator::Attachments(dom::element e) {
  dom::array attachments;
  if (e.get_array().get(attachments) != simdjson::SUCCESS) {
    Report("attachments must be an array of Attachment objects (xAPI 1.0.3 §2.4.11)");
    return;
  }
  std::size_t i = 0;
  for (dom::element attachment : attachments) {
    Scope item(*this, i++);
    std::optional<Members> m =
        Object(attachment, "an Attachment",
               {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
               "§2.4.11");
    if (!m) continue;
    for (std::string_view name : {"usageType", "display", "contentType", "length", "sha2"}) {
      Require(*m, name, "an Attachment", "§2.4.11");
    }
    bool signature = false;
    if (std::optional<dom::element> usage = m->Get("usageType")) {
      Scope scope(*this, "usageType");
      (void)Iri(*usage, "usageType", "§2.4.11");
      std::string_view u;
      signature = usage->get_string().get(u) == simdjson::SUCCESS &&
                  u == "http://adlnet.gov/expapi/attachments/signature";
    }
    for (std::string_view map : {"display", "description"}) {
      if (std::optional<dom::element> v = m->Get(map)) {
        Scope scope(*this, map);
        LanguageMap(*v, map, "§2.4.11");
      }
    }
    if (std::optional<dom::element> type = m->Get("contentType")) {
      Scope scope(*this, "contentType");
      std::optional<std::string_view> text = String(*type, "contentType", "§2.4.11");
      if (text && !IsMediaType(*text)) {
        Report(fmt::format("contentType '{}' must be an Internet media type such as "
                           "\"application/pdf\" (xAPI 1.0.3 §2.4.11)",
                           Clip(*text)));
      }
      if (text && signature && *text != "application/octet-stream") {
        Report(fmt::format("a signature Attachment's contentType must be "
                           "\"application/octet-stream\", not '{}' (xAPI 1.0.3 §2.6)",
                           Clip(*text)));
      }
    }
    if (std::optional<dom::element> length = m->Get("length")) {
      Scope scope(*this, "length");
      std::int64_t n = 0;
      if (!(length->is_uint64() ||
            (length->get_int64().get(n) == simdjson::SUCCESS && n >= 0))) {
        Report("length must be a non-negative integer number of octets (xAPI 1.0.3 §2.4.11)");
      }
    }
    if (std::optional<dom::element> sha2 = m->Get("sha2")) {
      Scope scope(*this, "sha2");
      std::optional<std::string_view> text = String(*sha2, "sha2", "§2.4.11");
      if (text && !IsSha2Hex(*text)) {
        Report("sha2 must be the hex digits of a SHA-2 hash (56, 64, 96 or 128 of them) (xAPI "
               "1.0.3 §2.4.11)");
      }
    }
    if (std::optional<dom::element> url = m->Get("fileUrl")) {
      Scope scope(*this, "fileUrl");
      (void)Iri(*url, "fileUrl (an IRL)", "§2.4.11");
    }
  }
}

}  // namespace cohort::xapi::internal
