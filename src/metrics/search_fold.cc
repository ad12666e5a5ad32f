#include "metrics/search_fold.h"

#include <array>
#include <cstddef>

namespace cohort::metrics {
namespace {

// The folds of U+00C0–U+017F, by code point − 0xC0; nullptr keeps the character (×, ÷).
constexpr std::array<const char*, 0x180 - 0xC0> kLatinFolds = {
    // U+00C0–U+00DF: À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
    // U+00E0–U+00FF: à á â ã ä å æ ç è é ê ë ì í î ï ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100–U+010F: Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",  //
    // U+0110–U+011F: Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",  //
    // U+0120–U+012F: Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",  //
    // U+0130–U+013F: İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  //
    // U+0140–U+014F: ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",  //
    // U+0150–U+015F: Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  //
    // U+0160–U+016F: Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",  //
    // U+0170–U+017F: Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",  //
};

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

void AppendFolded(std::string_view text, std::string& out) {
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out += (b >= 'A' && b <= 'Z') ? static_cast<char>(b - 'A' + 'a') : static_cast<char>(b);
      continue;
    }
    // Only two-byte sequences are folded: U+00C0–U+017F (lead bytes C3–C5) and the combining
    // marks U+0300–U+036F (CC 80 – CD AF).
    if (b >= 0xC3 && b <= 0xCD && i + 1 < n &&
        IsContinuation(static_cast<unsigned char>(text[i + 1]))) {
      const auto cont = static_cast<unsigned char>(text[i + 1]);
      const unsigned code = ((b & 0x1Fu) << 6) | (cont & 0x3Fu);
      if (code >= 0x300 && code <= 0x36F) {
        ++i;
        continue;
      }
      if (code >= 0xC0 && code < 0x180) {
        if (const char* fold = kLatinFolds[code - 0xC0]) {
          out += fold;
          ++i;
          continue;
        }
      }
    }
    out += static_cast<char>(b);
  }
}

std::string FoldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendFolded(text, out);
  return out;
}

bool FoldedSearch::Matches(std::string_view text) const {
  if (needle_.empty()) return true;
  scratch_.clear();
  AppendFolded(text, scratch_);
  return scratch_.find(needle_) != std::string::npos;
}

}  // namespace cohort::metrics
