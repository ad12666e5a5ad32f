// The stored form of a statement and what the LRS derives from it: StoredForm, SameStatement,
// IdsFormat and CanonicalFormat. These rewrite small documents, so they use nlohmann-json
// (ordered_json keeps members in the order sent); validation stays on simdjson.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "xapi/formats.h"
#include "xapi/statement.h"

namespace cohort::xapi {
namespace {

using Ordered = nlohmann::ordered_json;
using Json = nlohmann::json;

constexpr std::string_view kContextKinds[] = {"parent", "grouping", "category", "other"};
constexpr std::string_view kComponentLists[] = {"choices", "scale", "source", "target", "steps"};
constexpr std::string_view kIfis[] = {"mbox", "mbox_sha1sum", "openid", "account"};

template <typename J>
J* Member(J& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(std::string(name));
  return it == object.end() ? nullptr : &*it;
}

template <typename J>
std::string_view ObjectType(const J& object) {
  if (!object.is_object()) return {};
  auto it = object.find("objectType");
  if (it == object.end() || !it->is_string()) return {};
  return it->template get_ref<const std::string&>();
}

template <typename J>
std::string Dump(const J& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// §2.4.6.2: the LRS MUST return every contextActivities value as an array.
template <typename J>
void ContextActivitiesAsArrays(J& statement) {
  J* context = Member(statement, "context");
  if (J* kinds = context ? Member(*context, "contextActivities") : nullptr) {
    for (std::string_view kind : kContextKinds) {
      J* v = Member(*kinds, kind);
      if (v && v->is_object()) *v = J::array({*v});
    }
  }
  J* object = Member(statement, "object");
  if (object && ObjectType(*object) == "SubStatement") ContextActivitiesAsArrays(*object);
}

// Calls f(activity) for every Activity object of a statement: the object (when an Activity),
// the context activities, and the same inside a SubStatement.
template <typename J, typename F>
void ForEachActivity(J& statement, F&& f) {
  if (J* object = Member(statement, "object"); object && object->is_object()) {
    const std::string_view type = ObjectType(*object);
    if (type.empty() || type == "Activity") f(*object);
    if (type == "SubStatement") ForEachActivity(*object, f);
  }
  J* context = Member(statement, "context");
  if (J* kinds = context ? Member(*context, "contextActivities") : nullptr) {
    for (std::string_view kind : kContextKinds) {
      J* v = Member(*kinds, kind);
      if (!v) continue;
      if (v->is_object()) {
        f(*v);
      } else if (v->is_array()) {
        for (J& activity : *v) f(activity);
      }
    }
  }
}

// Calls f(map) for every language map that format=canonical filters: the verb display,
// activities' names and descriptions and their interaction components' descriptions.
template <typename J, typename F>
void ForEachLanguageMap(J& statement, F&& f) {
  J* verb = Member(statement, "verb");
  if (J* display = verb ? Member(*verb, "display") : nullptr) f(*display);
  if (J* object = Member(statement, "object");
      object && ObjectType(*object) == "SubStatement") {
    J* sub_verb = Member(*object, "verb");
    if (J* display = sub_verb ? Member(*sub_verb, "display") : nullptr) f(*display);
  }
  ForEachActivity(statement, [&](J& activity) {
    J* definition = Member(activity, "definition");
    if (!definition) return;
    for (std::string_view map : {"name", "description"}) {
      if (J* m = Member(*definition, map)) f(*m);
    }
    for (std::string_view list : kComponentLists) {
      J* components = Member(*definition, list);
      if (!components || !components->is_array()) continue;
      for (J& component : *components) {
        if (J* m = Member(component, "description")) f(*m);
      }
    }
  });
}

// Calls f(agent) for every Agent or Group of a statement: actor, object, authority, context
// instructor and team, and the same inside a SubStatement.
template <typename J, typename F>
void ForEachAgent(J& statement, F&& f) {
  for (std::string_view name : {"actor", "authority"}) {
    if (J* agent = Member(statement, name)) f(*agent);
  }
  if (J* object = Member(statement, "object")) {
    const std::string_view type = ObjectType(*object);
    if (type == "Agent" || type == "Group") f(*object);
    if (type == "SubStatement") ForEachAgent(*object, f);
  }
  if (J* context = Member(statement, "context")) {
    for (std::string_view name : {"instructor", "team"}) {
      if (J* agent = Member(*context, name)) f(*agent);
    }
  }
}

template <typename J>
void LowerString(J* value) {
  if (value && value->is_string()) *value = internal::AsciiLower(value->template get<std::string>());
}

template <typename J>
void LowerKeys(J& map) {
  if (!map.is_object()) return;
  J lowered = J::object();
  for (auto it = map.begin(); it != map.end(); ++it) {
    lowered[internal::AsciiLower(it.key())] = it.value();
  }
  map = std::move(lowered);
}

// Rewrites a timestamp as UTC with milliseconds when it parses.
template <typename J>
void NormalizeTimestamp(J* value) {
  if (!value || !value->is_string()) return;
  if (std::optional<Instant> t = internal::ParseTimestamp(value->template get<std::string>())) {
    *value = internal::FormatTimestamp(*t);
  }
}

// What SameStatement ignores, rewritten away: the properties the LRS sets, the case of UUIDs
// and language tags, the writing of instants, contextActivities as single objects, the order
// of group members (§2.3.1: exceptions to immutability).
void Normalize(Json& statement, bool sub) {
  if (!statement.is_object()) return;
  if (!sub) {
    for (const char* name : {"authority", "stored", "version"}) statement.erase(name);
  }
  LowerString(Member(statement, "id"));
  NormalizeTimestamp(Member(statement, "timestamp"));
  ContextActivitiesAsArrays(statement);
  if (Json* object = Member(statement, "object")) {
    const std::string_view type = ObjectType(*object);
    if (type == "StatementRef") LowerString(Member(*object, "id"));
    if (type == "SubStatement") Normalize(*object, true);
  }
  if (Json* context = Member(statement, "context")) {
    LowerString(Member(*context, "registration"));
    LowerString(Member(*context, "language"));
    if (Json* ref = Member(*context, "statement")) LowerString(Member(*ref, "id"));
  }
  ForEachLanguageMap(statement, [](Json& map) { LowerKeys(map); });
  if (Json* attachments = Member(statement, "attachments"); attachments && attachments->is_array()) {
    for (Json& attachment : *attachments) {
      for (const char* map : {"display", "description"}) {
        if (Json* m = Member(attachment, map)) LowerKeys(*m);
      }
    }
  }
  ForEachAgent(statement, [](Json& agent) {
    Json* members = Member(agent, "member");
    if (!members || !members->is_array()) return;
    std::sort(members->begin(), members->end(),
              [](const Json& a, const Json& b) { return Dump(a) < Dump(b); });
  });
}

Ordered ReduceAgent(const Ordered& agent) {
  if (!agent.is_object()) return agent;
  Ordered out = Ordered::object();
  if (auto it = agent.find("objectType"); it != agent.end()) out["objectType"] = *it;
  bool identified = false;
  for (std::string_view ifi : kIfis) {
    if (auto it = agent.find(std::string(ifi)); it != agent.end()) {
      out[std::string(ifi)] = *it;
      identified = true;
    }
  }
  if (!identified) {
    if (auto it = agent.find("member"); it != agent.end() && it->is_array()) {
      Ordered members = Ordered::array();
      for (const Ordered& member : *it) members.push_back(ReduceAgent(member));
      out["member"] = std::move(members);
    }
  }
  return out;
}

void ReduceActivity(Ordered& activity) {
  if (!activity.is_object()) return;
  Ordered out = {{"objectType", "Activity"}};
  if (auto it = activity.find("id"); it != activity.end()) out["id"] = *it;
  activity = std::move(out);
}

void ReduceStatement(Ordered& statement) {
  ForEachAgent(statement, [](Ordered& agent) { agent = ReduceAgent(agent); });
  ForEachActivity(statement, [](Ordered& activity) { ReduceActivity(activity); });
  for (Ordered* s = &statement; s != nullptr;) {
    if (Ordered* verb = Member(*s, "verb"); verb && verb->is_object()) {
      Ordered out = Ordered::object();
      if (auto it = verb->find("id"); it != verb->end()) out["id"] = *it;
      *verb = std::move(out);
    }
    Ordered* object = Member(*s, "object");
    s = object && ObjectType(*object) == "SubStatement" ? object : nullptr;
  }
}

struct LanguageRange {
  std::string tag;  // lower case
  double q = 1;
};

// An Accept-Language header's ranges, highest quality first (stable), q=0 left out.
std::vector<LanguageRange> ParseAcceptLanguage(std::string_view header) {
  std::vector<LanguageRange> ranges;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(start, end - start);
    start = end + 1;
    LanguageRange range;
    const std::size_t semicolon = item.find(';');
    std::string_view tag = item.substr(0, semicolon);
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
      return s;
    };
    tag = trim(tag);
    if (tag.empty()) continue;
    range.tag = internal::AsciiLower(tag);
    if (semicolon != std::string_view::npos) {
      std::string_view params = trim(item.substr(semicolon + 1));
      if (params.size() > 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        try {
          range.q = std::stod(std::string(params.substr(2)));
        } catch (const std::exception&) {
          range.q = 0;
        }
      }
    }
    if (range.q > 0) ranges.push_back(std::move(range));
  }
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const LanguageRange& a, const LanguageRange& b) { return a.q > b.q; });
  return ranges;
}

// RFC 4647 §3.4 lookup of one language map: the key that best matches the ranges, else the
// first key.
void FilterLanguageMap(Ordered& map, const std::vector<LanguageRange>& ranges) {
  if (!map.is_object() || map.size() <= 1) return;
  auto chosen = map.begin();
  bool found = false;
  for (const LanguageRange& range : ranges) {
    if (range.tag == "*") {
      found = true;  // any language: the first entry
      break;
    }
    std::string candidate = range.tag;
    while (!candidate.empty() && !found) {
      for (auto it = map.begin(); it != map.end(); ++it) {
        if (internal::AsciiLower(it.key()) == candidate) {
          chosen = it;
          found = true;
          break;
        }
      }
      std::size_t dash = candidate.rfind('-');
      if (dash == std::string::npos) break;
      candidate.resize(dash);
      // A singleton left at the end ("en-a") is dropped with its extension.
      dash = candidate.rfind('-');
      if (dash != std::string::npos && candidate.size() - dash == 2) candidate.resize(dash);
    }
    if (found) break;
  }
  Ordered out = Ordered::object();
  out[chosen.key()] = chosen.value();
  map = std::move(out);
}

}  // namespace

std::string StoredForm(const Statement& statement, std::string_view id, Instant stored,
                       std::string_view authority_json) {
  Ordered body = Ordered::parse(statement.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) body = Ordered::object();
  Ordered authority = Ordered::parse(authority_json, nullptr, /*allow_exceptions=*/false);
  const std::string stored_text = internal::FormatTimestamp(stored);
  const std::string timestamp_text =
      internal::FormatTimestamp(statement.timestamp.value_or(stored));
  Ordered out = Ordered::object();
  if (!body.contains("id")) out["id"] = std::string(id);
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    if (key == "id") {
      out[key] = std::string(id);
    } else if (key == "timestamp") {
      out[key] = timestamp_text;
    } else if (key == "stored") {
      out[key] = stored_text;
    } else if (key == "authority") {
      if (!authority.is_discarded()) out[key] = authority;
    } else {
      out[key] = it.value();
    }
  }
  if (!out.contains("timestamp")) out["timestamp"] = timestamp_text;
  if (!out.contains("stored")) out["stored"] = stored_text;
  if (!out.contains("authority") && !authority.is_discarded()) out["authority"] = authority;
  if (!out.contains("version")) out["version"] = "1.0.0";
  ContextActivitiesAsArrays(out);
  return Dump(out);
}

bool SameStatement(std::string_view a, std::string_view b) {
  Json left = Json::parse(a, nullptr, /*allow_exceptions=*/false);
  Json right = Json::parse(b, nullptr, /*allow_exceptions=*/false);
  if (left.is_discarded() || right.is_discarded()) return false;
  Normalize(left, false);
  Normalize(right, false);
  return left == right;
}

std::string IdsFormat(std::string_view stored) {
  Ordered statement = Ordered::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!statement.is_object()) return std::string(stored);
  ReduceStatement(statement);
  return Dump(statement);
}

std::string CanonicalFormat(std::string_view stored, std::string_view accept_language) {
  Ordered statement = Ordered::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!statement.is_object()) return std::string(stored);
  const std::vector<LanguageRange> ranges = ParseAcceptLanguage(accept_language);
  ForEachLanguageMap(statement, [&](Ordered& map) { FilterLanguageMap(map, ranges); });
  return Dump(statement);
}

}  // namespace cohort::xapi
