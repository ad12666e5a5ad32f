#include "http/routes.h"

#include <stdexcept>
#include <string>

namespace cohort::http {
namespace {

[[noreturn]] void Defect(const Route& row, const std::string& what) {
  throw std::logic_error("route table: " + std::string(row.method) + " " +
                         std::string(row.pattern) + ": " + what);
}

}  // namespace

RouteTable::RouteTable(const std::vector<Route>& rows) {
  compiled_.reserve(rows.size());
  info_.reserve(rows.size());
  for (const Route& row : rows) {
    if (row.handler == nullptr) Defect(row, "no handler");
    if (row.method.empty()) Defect(row, "no method");
    if (!row.pattern.starts_with('/')) Defect(row, "the pattern must start with '/'");
    Compiled c{row, {}};
    std::size_t parameters = 0;
    std::string_view rest = row.pattern.substr(1);
    while (true) {
      const std::size_t end = rest.find('/');
      const std::string_view part = rest.substr(0, end);
      if (part.empty()) Defect(row, "an empty segment");
      if (part.front() == '{') {
        if (part.size() < 3 || part.back() != '}') Defect(row, "a malformed {parameter}");
        c.segments.push_back({{}, true});
        ++parameters;
      } else {
        c.segments.push_back({part, false});
      }
      if (end == std::string_view::npos) break;
      rest = rest.substr(end + 1);
    }
    if (parameters > kMaxRouteParams) Defect(row, "too many parameters");
    if (c.segments.size() > kMaxSegments) Defect(row, "too many segments");
    for (const Compiled& earlier : compiled_) {
      if (earlier.row.method == row.method && earlier.row.pattern == row.pattern) {
        Defect(row, "listed twice");
      }
    }
    compiled_.push_back(std::move(c));
    info_.push_back({row.method, row.pattern, row.credential, row.scope, row.max_body_bytes});
  }
}

RouteTable::Match RouteTable::Find(std::string_view method, std::string_view path) const {
  // The path's segments after its leading '/' ("/a/b/" has three: "a", "b", "").
  std::array<std::string_view, kMaxSegments> segments;
  std::size_t count = 0;
  if (!path.empty()) {
    std::string_view rest = path.substr(1);
    while (true) {
      if (count == kMaxSegments) return {};  // longer than any pattern
      const std::size_t end = rest.find('/');
      segments[count++] = rest.substr(0, end);
      if (end == std::string_view::npos) break;
      rest = rest.substr(end + 1);
    }
  }
  Match match;
  for (const Compiled& c : compiled_) {
    if (c.segments.size() != count) continue;
    RouteParams params{};
    std::size_t taken = 0;
    bool matches = true;
    for (std::size_t i = 0; i < count && matches; ++i) {
      if (c.segments[i].parameter) {
        matches = !segments[i].empty();
        params[taken++] = segments[i];
      } else {
        matches = c.segments[i].literal == segments[i];
      }
    }
    if (!matches) continue;
    if (match.path_route == nullptr) match.path_route = &c.row;
    if (c.row.method == method) {
      match.route = &c.row;
      match.params = params;
      return match;
    }
  }
  return match;
}

std::string_view CredentialName(Credential credential) {
  switch (credential) {
    case Credential::kNone:
      return "none";
    case Credential::kAny:
      return "any";
    case Credential::kSession:
      return "session";
  }
  return "any";
}

}  // namespace cohort::http
