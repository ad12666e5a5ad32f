#include "http/target.h"

#include <cstdint>

namespace cohort::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `text` with anything but printable ASCII shown as '?', safe to quote in a message.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return out;
}

// Strips "scheme://authority" from an absolute-form target: "http://h/p?q" -> "/p?q",
// "http://h?q" -> "?q", "http://h" -> "/".
std::string_view OriginForm(std::string_view target) {
  if (target.empty() || target.front() == '/') return target;
  const std::size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return target;
  const std::size_t path_start = target.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string_view::npos) return "/";
  return target.substr(path_start);
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t code = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, code = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, code = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, code = c & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
      if (lo < 0) {
        return Status::Malformed("bad percent-encoding at '" + Printable(text.substr(i, 3)) + "'");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!IsValidUtf8(out)) return Status::Malformed("percent-decoded text is not valid UTF-8");
  if (out.find('\0') != std::string::npos) return Status::Malformed("decoded text contains NUL");
  return out;
}

Result<DecodedTarget> DecodeTarget(std::string_view target) {
  const std::string_view origin = OriginForm(target);
  if (origin.empty() || (origin.front() != '/' && origin.front() != '?')) {
    return Status::Malformed("request target must start with '/'");
  }
  if (origin.front() == '?' && origin.data() == target.data()) {
    return Status::Malformed("request target must start with '/'");
  }
  const std::size_t question = origin.find('?');
  std::string_view raw_path = origin.substr(0, question);
  if (raw_path.empty()) raw_path = "/";
  DecodedTarget out;
  Result<std::string> path = PercentDecode(raw_path, false);
  if (!path.ok()) return Status::Malformed("bad request path: " + path.status().message());
  out.path = std::move(path).value();
  if (question == std::string_view::npos) return out;

  std::string_view rest = origin.substr(question + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    Result<std::string> name = PercentDecode(pair.substr(0, eq), true);
    if (!name.ok()) return Status::Malformed("bad query parameter: " + name.status().message());
    Result<std::string> value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!value.ok()) {
      return Status::Malformed("bad value of query parameter '" + name.value() +
                               "': " + value.status().message());
    }
    out.query.emplace(std::move(name).value(), std::move(value).value());
  }
  return out;
}

}  // namespace cohort::http
