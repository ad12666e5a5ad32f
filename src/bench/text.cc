#include "bench/text.h"

#include <cctype>

#include <fmt/format.h>

namespace cohort::bench {

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

json PercentilesJson(const Percentiles& p) {
  return {{"p50_ms", p.p50}, {"p99_ms", p.p99}, {"max_ms", p.max}, {"requests", p.n}};
}

}  // namespace cohort::bench
