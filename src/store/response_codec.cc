#include "store/response_codec.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cstdint>

namespace cohort::store {
namespace {

void AppendInt(std::string& out, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// RFC 8259 string: quotes, backslashes and control characters escaped; UTF-8 passes through.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

// A cursor over the stored text; every Read* returns false at the first unexpected byte.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  bool Consume(char c) {
    SkipSpace();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }

  bool ReadInt(std::int64_t& value) {
    SkipSpace();
    const char* begin = s_.data() + i_;
    const auto [end, ec] = std::from_chars(begin, s_.data() + s_.size(), value);
    if (ec != std::errc() || end == begin) return false;
    i_ += static_cast<std::size_t>(end - begin);
    return true;
  }

  bool ReadNull() {
    SkipSpace();
    if (s_.substr(i_, 4) != "null") return false;
    i_ += 4;
    return true;
  }

  bool ReadString(std::string& out) {
    out.clear();
    if (!Consume('"')) return false;
    // Most keys hold no escape: taken whole up to the closing quote.
    const std::size_t quote = s_.find('"', i_);
    if (quote != std::string_view::npos && s_.substr(i_, quote - i_).find('\\') == std::string_view::npos) {
      out.assign(s_.substr(i_, quote - i_));
      i_ = quote + 1;
      return true;
    }
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t code = 0;
          if (!ReadHex4(code)) return false;
          if (code >= 0xD800 && code < 0xDC00) {  // a surrogate pair
            std::uint32_t low = 0;
            if (s_.substr(i_, 2) != "\\u") return false;
            i_ += 2;
            if (!ReadHex4(low) || low < 0xDC00 || low >= 0xE000) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, code);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool ReadHex4(std::uint32_t& code) {
    if (s_.size() - i_ < 4) return false;
    const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, code, 16);
    if (ec != std::errc() || end != s_.data() + i_ + 4) return false;
    i_ += 4;
    return true;
  }
  static void AppendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

bool ReadResponse(Reader& in, Instant started_at, domain::Response& r) {
  std::int64_t correct = 0, offset = 0;
  if (!in.Consume('[') || !in.ReadString(r.question) || !in.Consume(',') ||
      !in.ReadInt(correct) || !in.Consume(',') || !in.ReadInt(r.hints) || !in.Consume(',') ||
      !in.ReadInt(r.time_ms) || !in.Consume(',') || !in.ReadInt(offset)) {
    return false;
  }
  r.correct = correct != 0;
  r.answered_at = Instant{started_at.ms + offset};
  r.points.reset();
  if (in.Consume(',') && !in.ReadNull()) {
    std::int64_t points = 0;
    if (!in.ReadInt(points)) return false;
    r.points = points;
  }
  return in.Consume(']');
}

// The encoder's own output — no space, no escape, plain integers — read without the Reader's
// generality: most of the rebuild's decoding time at M. Returns false at anything else
// (the caller then reads the text with the Reader), having written into `out` freely.
class FastReader {
 public:
  explicit FastReader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Decode(Instant started_at, std::vector<domain::Response>& out) {
    std::size_t n = 0;
    if (!Take('[')) return false;
    if (!Take(']')) {
      do {
        if (n == out.size()) out.emplace_back();
        if (!Response(started_at, out[n++])) return false;
      } while (Take(','));
      if (!Take(']')) return false;
    }
    out.resize(n);
    return p_ == end_;
  }

 private:
  bool Take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool Int(std::int64_t& value) {
    const bool negative = Take('-');
    const char* first = p_;
    std::int64_t v = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9' && p_ - first < 18) v = v * 10 + (*p_++ - '0');
    if (p_ == first || (p_ != end_ && *p_ >= '0' && *p_ <= '9')) return false;  // none, or long
    value = negative ? -v : v;
    return true;
  }
  bool Response(Instant started_at, domain::Response& r) {
    if (!Take('[') || !Take('"')) return false;
    const char* quote = static_cast<const char*>(std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_)));
    if (quote == nullptr || std::memchr(p_, '\\', static_cast<std::size_t>(quote - p_)) != nullptr) {
      return false;
    }
    r.question.assign(p_, quote);
    p_ = quote + 1;
    std::int64_t correct = 0, offset = 0;
    if (!Take(',') || !Int(correct) || !Take(',') || !Int(r.hints) || !Take(',') ||
        !Int(r.time_ms) || !Take(',') || !Int(offset)) {
      return false;
    }
    r.correct = correct != 0;
    r.answered_at = Instant{started_at.ms + offset};
    r.points.reset();
    if (Take(',')) {
      std::int64_t points = 0;
      if (!Int(points)) return false;
      r.points = points;
    }
    return Take(']');
  }

  const char* p_;
  const char* end_;
};

}  // namespace

void EncodeResponses(const domain::Attempt& attempt, std::string& out) {
  out.clear();
  out += '[';
  for (std::size_t i = 0; i < attempt.responses.size(); ++i) {
    const domain::Response& r = attempt.responses[i];
    if (i > 0) out += ',';
    out += '[';
    AppendString(out, r.question);
    out += r.correct ? ",1," : ",0,";
    AppendInt(out, r.hints);
    out += ',';
    AppendInt(out, r.time_ms);
    out += ',';
    AppendInt(out, r.answered_at.ms - attempt.started_at.ms);
    if (r.points) {
      out += ',';
      AppendInt(out, *r.points);
    }
    out += ']';
  }
  out += ']';
}

Status DecodeResponses(std::string_view text, Instant started_at,
                       std::vector<domain::Response>& out) {
  // The responses already in `out` are overwritten (a caller that reuses its vectors allocates
  // nothing); at most one allocation otherwise: each response opens a '[' after the array's own
  // (a '[' inside a question key only reserves one more).
  const auto opening = static_cast<std::size_t>(std::count(text.begin(), text.end(), '['));
  if (opening > 1) out.reserve(opening - 1);
  if (FastReader(text).Decode(started_at, out)) return Status();
  std::size_t n = 0;
  Reader in(text);
  bool ok = in.Consume('[');
  if (ok && !in.Consume(']')) {
    do {
      if (n == out.size()) out.emplace_back();
      ok = ReadResponse(in, started_at, out[n++]);
    } while (ok && in.Consume(','));
    ok = ok && in.Consume(']');
  }
  out.resize(n);
  if (!ok || !in.AtEnd()) {
    out.clear();
    return Status::Internal("a stored attempt's responses are corrupt");
  }
  return Status();
}

}  // namespace cohort::store
