#include "xapi/formats.h"

#include <array>
#include <vector>

namespace cohort::xapi::internal {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsHexOfLength(std::string_view s, std::size_t n) { return s.size() == n && AllOf(s, IsHex); }

// RFC 2045 token: printable ASCII except space and tspecials.
bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

// The irregular grandfathered tags of RFC 5646 §2.2.8, which the subtag grammar does not
// describe. (The regular ones, "zh-min-nan" and the like, happen to fit it.)
constexpr std::array<std::string_view, 17> kIrregularTags = {
    "en-gb-oed", "i-ami",     "i-bnn",    "i-default", "i-enochian", "i-hak",
    "i-klingon", "i-lux",     "i-mingo",  "i-navajo",  "i-pwn",      "i-tao",
    "i-tay",     "i-tsu",     "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"};

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsIri(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  if (!IsAlpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u <= 0x20 || u == 0x7f) return false;
    if (std::string_view("<>\"{}|\\^`").find(s[i]) != std::string_view::npos) return false;
    if (s[i] == '%' && (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))) return false;
  }
  return true;
}

bool IsMailtoIri(std::string_view s) {
  constexpr std::string_view kScheme = "mailto:";
  if (s.size() <= kScheme.size() || !EqualsIgnoreCase(s.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  const std::string_view address = s.substr(kScheme.size());
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  return IsIri(s);
}

bool IsLanguageTag(std::string_view text) {
  if (text.empty()) return false;
  const std::string lower = AsciiLower(text);
  for (std::string_view tag : kIrregularTags) {
    if (lower == tag) return true;
  }
  const std::vector<std::string_view> subtags = Split(text, '-');
  for (std::string_view s : subtags) {
    if (s.empty() || s.size() > 8 || !AllOf(s, IsAlnum)) return false;
  }
  std::size_t i = 0;
  const std::size_t n = subtags.size();
  auto private_use = [&](std::size_t from) {
    // "x" followed by one or more subtags of 1 to 8 characters (checked above).
    return from + 1 < n;
  };
  if (subtags[0].size() == 1) {
    return (subtags[0] == "x" || subtags[0] == "X") && private_use(0);
  }
  // language: 2-3 letters (+ up to three 3-letter extlangs), 4 letters, or 5-8 letters.
  const std::string_view language = subtags[i];
  if (!AllOf(language, IsAlpha)) return false;
  ++i;
  if (language.size() <= 3) {
    for (int extlangs = 0; extlangs < 3 && i < n && subtags[i].size() == 3 &&
                           AllOf(subtags[i], IsAlpha);
         ++extlangs) {
      ++i;
    }
  }
  // script: 4 letters.
  if (i < n && subtags[i].size() == 4 && AllOf(subtags[i], IsAlpha)) ++i;
  // region: 2 letters or 3 digits.
  if (i < n && ((subtags[i].size() == 2 && AllOf(subtags[i], IsAlpha)) ||
                (subtags[i].size() == 3 && AllOf(subtags[i], IsDigit)))) {
    ++i;
  }
  // variants: 5-8 alphanumerics, or a digit then 3 alphanumerics.
  while (i < n && (subtags[i].size() >= 5 || (subtags[i].size() == 4 && IsDigit(subtags[i][0])))) {
    ++i;
  }
  // extensions: a singleton other than x, then one or more subtags of 2-8 characters.
  while (i < n && subtags[i].size() == 1 && subtags[i] != "x" && subtags[i] != "X") {
    ++i;
    const std::size_t first = i;
    while (i < n && subtags[i].size() >= 2) ++i;
    if (i == first) return false;
  }
  if (i < n && (subtags[i] == "x" || subtags[i] == "X")) return private_use(i);
  return i == n;
}

bool IsSha1Hex(std::string_view text) { return IsHexOfLength(text, 40); }

bool IsSha2Hex(std::string_view text) {
  return IsHexOfLength(text, 56) || IsHexOfLength(text, 64) || IsHexOfLength(text, 96) ||
         IsHexOfLength(text, 128);
}

bool IsMediaType(std::string_view text) {
  const std::string_view essence = text.substr(0, text.find(';'));
  const std::size_t slash = essence.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view type = essence.substr(0, slash);
  std::string_view subtype = essence.substr(slash + 1);
  while (!subtype.empty() && subtype.back() == ' ') subtype.remove_suffix(1);
  return !type.empty() && !subtype.empty() && AllOf(type, IsTokenChar) &&
         AllOf(subtype, IsTokenChar);
}

std::optional<Instant> ParseTimestamp(std::string_view text) {
  if (std::optional<Instant> t = ParseRfc3339(text)) return t;
  // ISO 8601's basic format ("20260102T030405.250+0100"), which the ADL conformance suite
  // expects an LRS to take (XAPI-00123): rewritten in the extended one, then read as below.
  if (text.size() >= 15 && text[8] == 'T' && AllOf(text.substr(0, 8), IsDigit) &&
      AllOf(text.substr(9, 6), IsDigit)) {
    std::string extended;
    extended.reserve(text.size() + 4);
    extended.append(text.substr(0, 4)).append("-").append(text.substr(4, 2)).append("-");
    extended.append(text.substr(6, 2)).append("T").append(text.substr(9, 2)).append(":");
    extended.append(text.substr(11, 2)).append(":").append(text.substr(13, 2));
    extended.append(text.substr(15));
    return ParseTimestamp(extended);
  }
  // ISO 8601 also writes the offset as "+hhmm" or "+hh": rewrite it as RFC 3339's "+hh:mm".
  if (text.size() < 22) return std::nullopt;
  const std::size_t sign = text.find_last_of("+-");
  if (sign == std::string_view::npos || sign < 19) return std::nullopt;
  const std::string_view offset = text.substr(sign + 1);
  if (!AllOf(offset, IsDigit)) return std::nullopt;
  std::string rewritten(text.substr(0, sign + 1));
  if (offset.size() == 4) {
    rewritten += offset.substr(0, 2);
    rewritten += ':';
    rewritten += offset.substr(2);
  } else if (offset.size() == 2) {
    rewritten += offset;
    rewritten += ":00";
  } else {
    return std::nullopt;
  }
  return ParseRfc3339(rewritten);
}

bool IsTimestampWithoutZone(std::string_view text) {
  if (text.empty() || text.back() == 'Z' || text.back() == 'z') return false;
  std::string with_zone(text);
  with_zone += 'Z';
  return ParseRfc3339(with_zone).has_value();
}

std::string FormatTimestamp(Instant t) {
  std::string out = FormatRfc3339Utc(t);  // the fraction only when it is not zero
  if (out.find('.') == std::string::npos) out.insert(out.size() - 1, ".000");
  return out;
}

std::optional<Duration> ParseDuration(std::string_view s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  constexpr std::int64_t kMsPerHour = 3'600'000;
  struct Unit {
    char designator;
    bool time_part;
    std::int64_t ms;  // 0: no fixed length (years, months)
  };
  static constexpr std::array<Unit, 6> kUnits = {{{'Y', false, 0},
                                                  {'M', false, 0},
                                                  {'D', false, kMsPerDay},
                                                  {'H', true, kMsPerHour},
                                                  {'M', true, 60'000},
                                                  {'S', true, kMsPerSecond}}};
  std::size_t pos = 1;
  std::size_t next_unit = 0;  // units are written in order; each once
  bool in_time = false;
  bool time_components = false;
  bool any = false;
  bool fraction_seen = false;
  bool fixed = true;
  bool overflow = false;
  std::int64_t total = 0;
  while (pos < s.size()) {
    if (s[pos] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++pos;
      continue;
    }
    if (fraction_seen) return std::nullopt;  // a fraction only on the last component
    const std::size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    const std::string_view whole = s.substr(start, pos - start);
    if (whole.empty()) return std::nullopt;
    std::string_view fraction;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      const std::size_t fraction_start = ++pos;
      while (pos < s.size() && IsDigit(s[pos])) ++pos;
      fraction = s.substr(fraction_start, pos - fraction_start);
      if (fraction.empty()) return std::nullopt;
      fraction_seen = true;
    }
    if (pos >= s.size()) return std::nullopt;
    const char designator = s[pos++];
    if (designator == 'W') {
      // "PnW" stands alone: weeks cannot be combined with other components.
      if (any || in_time || pos != s.size()) return std::nullopt;
      next_unit = kUnits.size();
      any = true;
      std::int64_t weeks = 0;
      for (char c : whole) {
        if (__builtin_mul_overflow(weeks, std::int64_t{10}, &weeks) ||
            __builtin_add_overflow(weeks, std::int64_t{c - '0'}, &weeks)) {
          overflow = true;
          break;
        }
      }
      const std::int64_t week_ms = 7 * kMsPerDay;
      if (!overflow && __builtin_mul_overflow(weeks, week_ms, &total)) overflow = true;
      if (!overflow && !fraction.empty()) {
        std::int64_t digits = 0;
        std::int64_t scale = 1;
        for (std::size_t i = 0; i < fraction.size() && i < 9; ++i) {
          digits = digits * 10 + (fraction[i] - '0');
          scale *= 10;
        }
        if (__builtin_add_overflow(total, digits * week_ms / scale, &total)) overflow = true;
      }
      break;
    }
    std::size_t u = next_unit;
    while (u < kUnits.size() &&
           (kUnits[u].designator != designator || kUnits[u].time_part != in_time)) {
      ++u;
    }
    if (u == kUnits.size()) return std::nullopt;
    next_unit = u + 1;
    any = true;
    if (in_time) time_components = true;
    const std::int64_t unit_ms = kUnits[u].ms;
    if (unit_ms == 0) {
      fixed = false;
      continue;
    }
    std::int64_t value = 0;
    for (char c : whole) {
      if (__builtin_mul_overflow(value, std::int64_t{10}, &value) ||
          __builtin_add_overflow(value, std::int64_t{c - '0'}, &value)) {
        overflow = true;
        break;
      }
    }
    std::int64_t part = 0;
    if (overflow || __builtin_mul_overflow(value, unit_ms, &part) ||
        __builtin_add_overflow(total, part, &total)) {
      overflow = true;
      continue;
    }
    if (!fraction.empty()) {
      // Nine digits of the fraction are plenty: a day is 8.64e7 ms.
      std::int64_t digits = 0;
      std::int64_t scale = 1;
      for (std::size_t i = 0; i < fraction.size() && i < 9; ++i) {
        digits = digits * 10 + (fraction[i] - '0');
        scale *= 10;
      }
      if (__builtin_add_overflow(total, digits * unit_ms / scale, &total)) overflow = true;
    }
  }
  if (!any || (in_time && !time_components)) return std::nullopt;
  Duration d;
  if (fixed && !overflow) d.ms = total;
  return d;
}

}  // namespace cohort::xapi::internal
