#pragma once

// The folding of a table's search (`q`, SPEC §3.8 made accent-insensitive by issue 20):
// "lefevre", "Lefèvre" and "LEFÈVRE" all fold to "lefevre". ASCII letters go to lower case; the
// Latin letters with diacritics of Latin-1 Supplement and Latin Extended-A (U+00C0–U+017F) go to
// their base letters in lower case (ß → ss, æ → ae, œ → oe, ĳ → ij, þ → th, ł → l, ...); the
// combining diacritical marks U+0300–U+036F are dropped, so a decomposed "e\u0301" folds as "é"
// does. Everything else (other scripts, invalid UTF-8) is kept byte for byte: a search in them
// is exact. No library of Debian's set (STYLE.md §10) folds text, hence this table
// (docs/decisions.md, "Search").

#include <string>
#include <string_view>

namespace cohort::metrics {

// `text` folded as above.
std::string FoldForSearch(std::string_view text);

// Appends FoldForSearch(text) to `out`, which it does not clear.
void AppendFolded(std::string_view text, std::string& out);

// A search for `q` in several texts: folds `q` once. Not thread-safe (a scratch buffer);
// one per search.
class FoldedSearch {
 public:
  explicit FoldedSearch(std::string_view q) : needle_(FoldForSearch(q)) {}
  bool empty() const { return needle_.empty(); }
  const std::string& needle() const { return needle_; }
  // Whether folded `text` contains the folded `q` (always, for an empty `q`).
  bool Matches(std::string_view text) const;

 private:
  std::string needle_;
  mutable std::string scratch_;
};

}  // namespace cohort::metrics
