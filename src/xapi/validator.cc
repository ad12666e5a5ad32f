#include "xapi/validator.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "xapi/formats.h"
#include "xapi/validator_parts.h"

namespace cohort::xapi::internal {
namespace {

bool IsVersion(std::string_view v) {
  // 1.0.x (§2.4.10), and 2.0.x, which this LRS also accepts (docs/xapi.md).
  if (v.size() < 5 || (v.substr(0, 4) != "1.0." && v.substr(0, 4) != "2.0.")) return false;
  const std::string_view patch = v.substr(4);
  if (patch.size() > 1 && patch[0] == '0') return false;
  return std::all_of(patch.begin(), patch.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string PointerToken(std::string_view key) {
  const std::string clipped = key.size() > 128 ? Clip(key, 128) : std::string(key);
  std::string out;
  for (char c : clipped) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void Validator::Report(std::string reason) {
  if (full()) return;
  std::string pointer;
  for (const std::string& segment : path_) {
    pointer += '/';
    pointer += segment;
  }
  problems_.push_back({index_, std::move(pointer), std::move(reason)});
}

std::optional<Validator::Members> Validator::Object(dom::element e, std::string_view what,
                                                   std::initializer_list<std::string_view> allowed,
                                                   std::string_view section) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be a JSON object (xAPI 1.0.3 {})", what, section));
    return std::nullopt;
  }
  Members m;
  for (dom::key_value_pair field : object) {
    const bool known = std::find(allowed.begin(), allowed.end(), field.key) != allowed.end();
    if (!known) {
      Scope scope(*this, field.key);
      Report(fmt::format(
          "'{}' is not a property of {} (xAPI 1.0.3 §2.2: the LRS MUST reject properties the "
          "specification does not allow; names are case-sensitive)",
          Clip(field.key), what));
      continue;
    }
    if (m.Has(field.key)) continue;  // CheckDuplicates reports it
    m.present_.push_back(field.key);
    if (field.value.is_null()) {
      Scope scope(*this, field.key);
      Report(fmt::format("'{}' must not be null (xAPI 1.0.3 §2.2: the LRS MUST reject null "
                         "values outside extensions)",
                         field.key));
      continue;
    }
    m.items_.emplace_back(field.key, field.value);
  }
  return m;
}

void Validator::Require(const Members& m, std::string_view name, std::string_view what,
                        std::string_view section) {
  if (!m.Has(name)) {
    Report(fmt::format("{} must have '{}' (xAPI 1.0.3 {})", what, name, section));
  }
}

std::optional<std::string_view> Validator::String(dom::element e, std::string_view what,
                                                  std::string_view section) {
  std::string_view value;
  if (e.get_string().get(value) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be a string (xAPI 1.0.3 {})", what, section));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Validator::Number(dom::element e, std::string_view what,
                                        std::string_view section) {
  double value = 0;
  if (!e.is_number() || e.get_double().get(value) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be a number, not a string or another type (xAPI 1.0.3 §2.2, {})",
                       what, section));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Validator::Bool(dom::element e, std::string_view what,
                                    std::string_view section) {
  bool value = false;
  if (e.get_bool().get(value) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be true or false, not a string or another type (xAPI 1.0.3 "
                       "§2.2, {})",
                       what, section));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Validator::Iri(dom::element e, std::string_view what,
                                          std::string_view section) {
  const std::optional<std::string_view> text = String(e, what, section);
  if (!text) return std::nullopt;
  if (!IsIri(*text)) {
    Report(fmt::format("{} must be an absolute IRI with a scheme, such as "
                       "\"http://example.com/x\", not '{}' (xAPI 1.0.3 §2.2, {})",
                       what, Clip(*text), section));
    return std::nullopt;
  }
  return std::string(*text);
}

std::optional<std::string> Validator::Uuid(dom::element e, std::string_view what,
                                           std::string_view section) {
  const std::optional<std::string_view> text = String(e, what, section);
  if (!text) return std::nullopt;
  if (!IsUuid(*text)) {
    Report(fmt::format("{} must be a UUID in standard string form (8-4-4-4-12 hex digits), not "
                       "'{}' (xAPI 1.0.3 §4.4, {})",
                       what, Clip(*text), section));
    return std::nullopt;
  }
  return LowerUuid(*text);
}

std::optional<Instant> Validator::Timestamp(dom::element e, std::string_view what,
                                            std::string_view section) {
  const std::optional<std::string_view> text = String(e, what, section);
  if (!text) return std::nullopt;
  if (std::optional<Instant> t = ParseTimestamp(*text)) return t;
  if (IsTimestampWithoutZone(*text)) {
    Report(fmt::format("{} '{}' has no time zone: add Z or an offset such as +01:00 (xAPI "
                       "1.0.3 §4.5; this LRS requires one, docs/xapi.md)",
                       what, Clip(*text)));
  } else {
    Report(fmt::format("{} must be an ISO 8601 timestamp such as "
                       "\"2026-01-02T03:04:05.678Z\", not '{}' (xAPI 1.0.3 §4.5, {})",
                       what, Clip(*text), section));
  }
  return std::nullopt;
}

void Validator::LanguageMap(dom::element e, std::string_view what, std::string_view section) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be a language map: an object of language tags to strings "
                       "(xAPI 1.0.3 §4.2, {})",
                       what, section));
    return;
  }
  for (dom::key_value_pair field : object) {
    Scope scope(*this, field.key);
    if (!IsLanguageTag(field.key)) {
      Report(fmt::format("'{}' is not an RFC 5646 language tag (xAPI 1.0.3 §4.2; §2.2: the LRS "
                         "MUST validate language map keys)",
                         Clip(field.key)));
    }
    if (field.value.is_null()) {
      Report("a language map value must not be null (xAPI 1.0.3 §2.2)");
    } else if (!field.value.is_string()) {
      Report("a language map value must be a string (xAPI 1.0.3 §4.2)");
    }
  }
}

void Validator::Extensions(dom::element e, std::string_view what) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    Report(fmt::format("{} must be an object mapping IRIs to values (xAPI 1.0.3 §4.1)", what));
    return;
  }
  for (dom::key_value_pair field : object) {
    if (!IsIri(field.key)) {
      Scope scope(*this, field.key);
      Report(fmt::format("extension key '{}' must be an absolute IRI (xAPI 1.0.3 §4.1: the keys "
                         "of an extensions map MUST be IRIs)",
                         Clip(field.key)));
    }
    // §4.1: the LRS MUST NOT reject a statement based on the values, null included.
  }
}

void Validator::CheckDuplicates(dom::element e) {
  if (full()) return;
  dom::array array;
  if (e.get_array().get(array) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (dom::element child : array) {
      Scope scope(*this, i++);
      CheckDuplicates(child);
    }
    return;
  }
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return;
  std::vector<std::string_view> keys;
  for (dom::key_value_pair field : object) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i] == keys[i - 1] && (i < 2 || keys[i - 2] != keys[i])) {
      Scope scope(*this, keys[i]);
      Report(fmt::format("'{}' appears more than once in one object (xAPI 1.0.3 §2.2: a "
                         "Statement MUST use each property no more than one time)",
                         Clip(keys[i])));
    }
  }
  for (dom::key_value_pair field : object) {
    Scope scope(*this, field.key);
    CheckDuplicates(field.value);
  }
}

Statement Validator::ValidateStatement(dom::element statement, std::optional<std::size_t> index) {
  index_ = index;
  path_.clear();
  if (index) path_.push_back(std::to_string(*index));
  CheckDuplicates(statement);
  Statement s = StatementBody(statement, false);
  if (statement.is_object()) s.body = simdjson::minify(statement);
  return s;
}

std::string Validator::ValidateAgentParameter(dom::element agent) {
  index_.reset();
  path_.clear();
  CheckDuplicates(agent);
  const std::size_t before = problems_.size();
  std::optional<AgentInfo> info = Agent(agent, AgentRole::kParameter);
  if (!info || problems_.size() != before) return {};
  return info->key;
}

Statement Validator::StatementBody(dom::element e, bool sub) {
  Statement s;
  const std::string_view what = sub ? "a SubStatement" : "a statement";
  std::optional<Members> m =
      sub ? Object(e, what,
                   {"objectType", "actor", "verb", "object", "result", "context", "timestamp",
                    "attachments", "id", "stored", "version", "authority"},
                   "§2.4.4.3")
          : Object(e, what,
                   {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                    "authority", "version", "attachments"},
                   "§2.4");
  if (!m) return s;
  for (std::string_view name : {"actor", "verb", "object"}) {
    if (!m->Has(name)) {
      Report(fmt::format("{} must have '{}' (xAPI 1.0.3 §2.2: a Statement MUST use \"actor\", "
                         "\"verb\", and \"object\")",
                         what, name));
    }
  }
  if (sub) {
    for (std::string_view name : {"id", "stored", "version", "authority"}) {
      if (m->Has(name)) {
        Scope scope(*this, name);
        Report(fmt::format("a SubStatement MUST NOT have '{}' (xAPI 1.0.3 §2.4.4.3)", name));
      }
    }
  } else if (std::optional<dom::element> id = m->Get("id")) {
    Scope scope(*this, "id");
    if (std::optional<std::string> uuid = Uuid(*id, "the statement id", "§2.4.1")) s.id = *uuid;
  }
  if (std::optional<dom::element> actor = m->Get("actor")) {
    Scope scope(*this, "actor");
    if (std::optional<AgentInfo> info = Agent(*actor, AgentRole::kActor)) {
      s.actor = info->key;
      if (!info->key.empty()) s.agents.push_back(info->key);
      Append(s.agents, info->members);
    }
  }
  if (std::optional<dom::element> verb = m->Get("verb")) {
    Scope scope(*this, "verb");
    if (std::optional<std::string> id = Verb(*verb)) s.verb = *id;
  }
  if (std::optional<dom::element> object = m->Get("object")) {
    Scope scope(*this, "object");
    StatementObject(*object, sub, s);
  }
  if (!sub && s.verb == kVoidedVerb && !s.object_type.empty() &&
      s.object_type != "StatementRef") {
    Scope scope(*this, "object");
    Report("a voiding statement's object MUST be a StatementRef naming the statement it voids "
           "(xAPI 1.0.3 §2.3.2)");
  }
  if (std::optional<dom::element> result = m->Get("result")) {
    Scope scope(*this, "result");
    s.result = Result(*result);
  }
  std::vector<std::string> context_agents;
  if (std::optional<dom::element> context = m->Get("context")) {
    Scope scope(*this, "context");
    Context(*context, s, context_agents, s.related_activities);
  }
  if (std::optional<dom::element> timestamp = m->Get("timestamp")) {
    Scope scope(*this, "timestamp");
    s.timestamp = Timestamp(*timestamp, "timestamp", "§2.4.7");
  }
  if (!sub) {
    if (std::optional<dom::element> stored = m->Get("stored")) {
      Scope scope(*this, "stored");
      // §2.4.8: the LRS SHOULD validate, then MUST overwrite it (StoredForm does).
      (void)Timestamp(*stored, "stored", "§2.4.8");
    }
    if (std::optional<dom::element> authority = m->Get("authority")) {
      Scope scope(*this, "authority");
      (void)Agent(*authority, AgentRole::kAuthority);
    }
    if (std::optional<dom::element> version = m->Get("version")) {
      Scope scope(*this, "version");
      if (std::optional<std::string_view> v = String(*version, "version", "§2.4.10")) {
        if (IsVersion(*v)) {
          s.version = std::string(*v);
        } else {
          Report(fmt::format("version '{}' must start with \"1.0.\" (xAPI 1.0.3 §2.4.10: the LRS "
                             "MUST reject other versions; 2.0.x is also accepted)",
                             Clip(*v)));
        }
      }
    }
  }
  if (std::optional<dom::element> attachments = m->Get("attachments")) {
    Scope scope(*this, "attachments");
    Attachments(*attachments);
  }
  Append(s.related_agents, s.agents);
  Append(s.related_agents, context_agents);
  SortUnique(s.agents);
  SortUnique(s.related_agents);
  SortUnique(s.related_activities);
  return s;
}

std::optional<Validator::AgentInfo> Validator::Agent(dom::element e, AgentRole role) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    Report(role == AgentRole::kMember
               ? "a Group member must be an Agent object (xAPI 1.0.3 §2.4.2.2)"
               : "an Agent or Group must be a JSON object (xAPI 1.0.3 §2.4.2)");
    return std::nullopt;
  }
  std::string_view type = "Agent";
  dom::element type_element;
  if (object.at_key("objectType").get(type_element) == simdjson::SUCCESS &&
      !type_element.is_null()) {
    Scope scope(*this, "objectType");
    if (type_element.get_string().get(type) != simdjson::SUCCESS) {
      Report("objectType must be a string (xAPI 1.0.3 §2.4.2)");
      return std::nullopt;
    }
    if (type != "Agent" && type != "Group") {
      Report(fmt::format("objectType '{}' must be \"Agent\" or \"Group\" here (xAPI 1.0.3 "
                         "§2.4.2; §2.2: enumerated values are case-sensitive)",
                         Clip(type)));
      return std::nullopt;
    }
  }
  const bool group = type == "Group";
  if (role == AgentRole::kMember && group) {
    Report("a Group's members must be Agents, not Groups (xAPI 1.0.3 §2.4.2.2: a Group MUST NOT "
           "contain Group Objects in \"member\")");
    return std::nullopt;
  }
  if (role == AgentRole::kTeam && !group) {
    Report("context.team must be a Group, with objectType \"Group\" (xAPI 1.0.3 §2.4.6)");
    return std::nullopt;
  }
  const std::string_view what = group ? "a Group" : "an Agent";
  const std::string_view section = group ? "§2.4.2.2" : "§2.4.2.1";
  std::optional<Members> m =
      group ? Object(e, what,
                     {"objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"},
                     section)
            : Object(e, what, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"},
                     section);
  if (!m) return std::nullopt;
  if (std::optional<dom::element> name = m->Get("name")) {
    Scope scope(*this, "name");
    (void)String(*name, "name", section);
  }
  AgentInfo info;
  std::vector<std::string_view> ifis;
  for (std::string_view ifi : {"mbox", "mbox_sha1sum", "openid", "account"}) {
    if (m->Has(ifi)) ifis.push_back(ifi);
  }
  if (std::optional<dom::element> mbox = m->Get("mbox")) {
    Scope scope(*this, "mbox");
    if (std::optional<std::string_view> text = String(*mbox, "mbox", "§2.4.2.3")) {
      if (IsMailtoIri(*text)) {
        info.key = "mbox:mailto:" + std::string(text->substr(7));
      } else {
        Report(fmt::format("mbox must be a mailto: IRI such as \"mailto:learner@example.com\", "
                           "not '{}' (xAPI 1.0.3 §2.4.2.3)",
                           Clip(*text)));
      }
    }
  }
  if (std::optional<dom::element> sha1 = m->Get("mbox_sha1sum")) {
    Scope scope(*this, "mbox_sha1sum");
    if (std::optional<std::string_view> text = String(*sha1, "mbox_sha1sum", "§2.4.2.3")) {
      if (IsSha1Hex(*text)) {
        info.key = "mbox_sha1sum:" + AsciiLower(*text);
      } else {
        Report("mbox_sha1sum must be the 40 hex digits of a SHA-1 hash (xAPI 1.0.3 §2.4.2.3)");
      }
    }
  }
  if (std::optional<dom::element> openid = m->Get("openid")) {
    Scope scope(*this, "openid");
    if (std::optional<std::string> uri = Iri(*openid, "openid", "§2.4.2.3")) {
      info.key = "openid:" + *uri;
    }
  }
  if (std::optional<dom::element> account = m->Get("account")) {
    Scope scope(*this, "account");
    if (std::optional<Members> a = Object(*account, "an account", {"homePage", "name"},
                                          "§2.4.2.4")) {
      Require(*a, "homePage", "an account", "§2.4.2.4");
      Require(*a, "name", "an account", "§2.4.2.4");
      std::optional<std::string> home;
      std::optional<std::string_view> name;
      if (std::optional<dom::element> h = a->Get("homePage")) {
        Scope inner(*this, "homePage");
        home = Iri(*h, "account homePage", "§2.4.2.4");
      }
      if (std::optional<dom::element> n = a->Get("name")) {
        Scope inner(*this, "name");
        name = String(*n, "account name", "§2.4.2.4");
      }
      if (home && name) info.key = "account:" + *home + " " + std::string(*name);
    }
  }
  if (ifis.size() > 1) {
    Report(fmt::format("{} must not have more than one inverse functional identifier, found {} "
                       "(xAPI 1.0.3 {}: exactly one of mbox, mbox_sha1sum, openid, account)",
                       what, fmt::join(ifis, " and "), section));
    info.key.clear();
  }
  const bool anonymous = group && ifis.empty();
  if (ifis.empty() && !group) {
    Report("an Agent must be identified by exactly one of mbox, mbox_sha1sum, openid or account "
           "(xAPI 1.0.3 §2.4.2.1)");
  }
  if (anonymous && role == AgentRole::kParameter) {
    Report("an anonymous Group has no identifier: give an Agent or an identified Group (xAPI "
           "1.0.3 §2.4.2.2)");
  }
  if (anonymous && !m->Has("member")) {
    Report("an anonymous Group must have \"member\" listing its Agents (xAPI 1.0.3 §2.4.2.2)");
  }
  std::size_t member_count = 0;
  if (std::optional<dom::element> member = m->Get("member")) {
    Scope scope(*this, "member");
    dom::array members;
    if (member->get_array().get(members) != simdjson::SUCCESS) {
      Report("member must be an array of Agents (xAPI 1.0.3 §2.4.2.2)");
    } else {
      member_count = members.size();
      if (anonymous && member_count == 0) {
        Report("an anonymous Group must list at least one Agent in \"member\" (xAPI 1.0.3 "
               "§2.4.2.2)");
      }
      std::size_t i = 0;
      for (dom::element agent : members) {
        Scope item(*this, i++);
        if (std::optional<AgentInfo> a = Agent(agent, AgentRole::kMember)) {
          info.members.push_back(a->key);
        }
      }
    }
  }
  if (role == AgentRole::kAuthority && group && member_count != 2) {
    Report("an authority that is a Group must have exactly two Agents as members (xAPI 1.0.3 "
           "§2.4.9: 3-legged OAuth)");
  }
  return info;
}

std::optional<std::string> Validator::Verb(dom::element e) {
  std::optional<Members> m = Object(e, "a Verb", {"id", "display"}, "§2.4.3");
  if (!m) return std::nullopt;
  Require(*m, "id", "a Verb", "§2.4.3");
  std::optional<std::string> id;
  if (std::optional<dom::element> i = m->Get("id")) {
    Scope scope(*this, "id");
    id = Iri(*i, "the verb id", "§2.4.3");
  }
  if (std::optional<dom::element> display = m->Get("display")) {
    Scope scope(*this, "display");
    LanguageMap(*display, "verb display", "§2.4.3");
  }
  return id;
}

void Validator::StatementObject(dom::element e, bool sub, Statement& s) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    Report("object must be a JSON object (xAPI 1.0.3 §2.4.4)");
    return;
  }
  std::string_view type = "Activity";  // §2.4.4: assumed when not specified
  dom::element type_element;
  if (object.at_key("objectType").get(type_element) == simdjson::SUCCESS &&
      !type_element.is_null()) {
    Scope scope(*this, "objectType");
    if (type_element.get_string().get(type) != simdjson::SUCCESS) {
      Report("objectType must be a string (xAPI 1.0.3 §2.4.4)");
      return;
    }
    if (type != "Activity" && type != "Agent" && type != "Group" && type != "StatementRef" &&
        type != "SubStatement") {
      Report(fmt::format("objectType '{}' must be one of \"Activity\", \"Agent\", \"Group\", "
                         "\"StatementRef\" or \"SubStatement\" (xAPI 1.0.3 §2.4.4; §2.2: "
                         "enumerated values are case-sensitive)",
                         Clip(type)));
      return;
    }
  }
  s.object_type = std::string(type);
  if (type == "Activity") {
    if (std::optional<std::string> id = Activity(e, true)) {
      s.object_id = *id;
      s.related_activities.push_back(*id);
    }
  } else if (type == "Agent" || type == "Group") {
    if (std::optional<AgentInfo> info = Agent(e, AgentRole::kObject)) {
      s.object_id = info->key;
      if (!info->key.empty()) s.agents.push_back(info->key);
      Append(s.agents, info->members);
    }
  } else if (type == "StatementRef") {
    if (std::optional<std::string> id = StatementRef(e, "a Statement Reference", "§2.4.4.3")) {
      s.object_id = *id;
    }
  } else if (sub) {
    Report("a SubStatement MUST NOT contain a SubStatement of its own (xAPI 1.0.3 §2.4.4.3)");
  } else {
    const Statement inner = StatementBody(e, true);
    Append(s.related_agents, inner.related_agents);
    Append(s.related_activities, inner.related_activities);
  }
}

std::optional<std::string> Validator::StatementRef(dom::element e, std::string_view what,
                                                   std::string_view section) {
  std::optional<Members> m = Object(e, what, {"objectType", "id"}, section);
  if (!m) return std::nullopt;
  Require(*m, "objectType", what, "§2.4.4.3: it MUST specify objectType \"StatementRef\"");
  Require(*m, "id", what, "§2.4.4.3");
  if (std::optional<dom::element> type = m->Get("objectType")) {
    Scope scope(*this, "objectType");
    std::optional<std::string_view> text = String(*type, "objectType", "§2.4.4.3");
    if (text && *text != "StatementRef") {
      Report(fmt::format("objectType '{}' of a Statement Reference MUST be \"StatementRef\" "
                         "(xAPI 1.0.3 §2.4.4.3)",
                         Clip(*text)));
    }
  }
  if (std::optional<dom::element> id = m->Get("id")) {
    Scope scope(*this, "id");
    return Uuid(*id, "a Statement Reference id", "§2.4.4.3");
  }
  return std::nullopt;
}

void Validator::Context(dom::element e, Statement& s, std::vector<std::string>& agents,
                        std::vector<std::string>& activities) {
  std::optional<Members> m =
      Object(e, "a context",
             {"registration", "instructor", "team", "contextActivities", "revision", "platform",
              "language", "statement", "extensions"},
             "§2.4.6");
  if (!m) return;
  if (std::optional<dom::element> registration = m->Get("registration")) {
    Scope scope(*this, "registration");
    s.registration = Uuid(*registration, "registration", "§2.4.6");
  }
  for (const auto& [name, role] : {std::pair{"instructor", AgentRole::kInstructor},
                                   std::pair{"team", AgentRole::kTeam}}) {
    std::optional<dom::element> v = m->Get(name);
    if (!v) continue;
    Scope scope(*this, name);
    if (std::optional<AgentInfo> info = Agent(*v, role)) {
      if (!info->key.empty()) agents.push_back(info->key);
      Append(agents, info->members);
    }
  }
  if (std::optional<dom::element> context_activities = m->Get("contextActivities")) {
    Scope scope(*this, "contextActivities");
    std::optional<Members> kinds =
        Object(*context_activities, "contextActivities", {"parent", "grouping", "category", "other"},
               "§2.4.6.2: every key MUST be one of parent, grouping, category, or other");
    for (std::string_view kind : {"parent", "grouping", "category", "other"}) {
      std::optional<dom::element> v = kinds ? kinds->Get(kind) : std::nullopt;
      if (!v) continue;
      Scope inner(*this, kind);
      std::vector<std::string> ids;
      dom::array array;
      if (v->get_array().get(array) == simdjson::SUCCESS) {
        std::size_t i = 0;
        for (dom::element activity : array) {
          Scope item(*this, i++);
          if (std::optional<std::string> id = Activity(activity, false)) ids.push_back(*id);
        }
      } else if (v->is_object()) {
        if (std::optional<std::string> id = Activity(*v, false)) ids.push_back(*id);
      } else {
        Report("a contextActivities value MUST be an Activity object or an array of them (xAPI "
               "1.0.3 §2.4.6.2)");
      }
      if (kind == "parent") s.parents = ids;
      if (kind == "grouping") s.groupings = ids;
      Append(activities, ids);
    }
  }
  for (std::string_view name : {"revision", "platform"}) {
    std::optional<dom::element> v = m->Get(name);
    if (!v) continue;
    Scope scope(*this, name);
    (void)String(*v, name, "§2.4.6");
    if (!s.object_type.empty() && s.object_type != "Activity") {
      Report(fmt::format("\"{}\" MUST only be used if the statement's object is an Activity, not "
                         "a {} (xAPI 1.0.3 §2.4.6)",
                         name, s.object_type));
    }
  }
  if (std::optional<dom::element> language = m->Get("language")) {
    Scope scope(*this, "language");
    std::optional<std::string_view> tag = String(*language, "language", "§2.4.6");
    if (tag && !IsLanguageTag(*tag)) {
      Report(fmt::format("language '{}' must be an RFC 5646 language tag (xAPI 1.0.3 §2.4.6)",
                         Clip(*tag)));
    }
  }
  if (std::optional<dom::element> statement = m->Get("statement")) {
    Scope scope(*this, "statement");
    (void)StatementRef(*statement, "context.statement (a Statement Reference)", "§2.4.6");
  }
  if (std::optional<dom::element> extensions = m->Get("extensions")) {
    Scope scope(*this, "extensions");
    Extensions(*extensions, "context extensions");
    std::string_view session;
    if (extensions->at_key(kAttemptExtension).get_string().get(session) == simdjson::SUCCESS ||
        extensions->at_key(kCmi5SessionExtension).get_string().get(session) ==
            simdjson::SUCCESS) {
      s.session = std::string(session);
    }
  }
}

}  // namespace cohort::xapi::internal
