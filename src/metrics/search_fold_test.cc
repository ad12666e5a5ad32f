#include "metrics/search_fold.h"

#include <gtest/gtest.h>

namespace cohort::metrics {
namespace {

TEST(SearchFoldTest, LowersAsciiAndFoldsLatinDiacritics) {
  EXPECT_EQ(FoldForSearch("Lefèvre"), "lefevre");
  EXPECT_EQ(FoldForSearch("LEFÈVRE"), "lefevre");
  EXPECT_EQ(FoldForSearch("Ångström Øre"), "angstrom ore");
  EXPECT_EQ(FoldForSearch("Čapek Łukasz Ődön Şahin Żółć"), "capek lukasz odon sahin zolc");
}

TEST(SearchFoldTest, LigaturesAndSharpSBecomeTwoLetters) {
  EXPECT_EQ(FoldForSearch("Straße"), "strasse");
  EXPECT_EQ(FoldForSearch("Œuvre Æsir Þór Ĳssel"), "oeuvre aesir thor ijssel");
}

TEST(SearchFoldTest, DropsCombiningMarksSoDecomposedTextMatchesComposed) {
  EXPECT_EQ(FoldForSearch("Lefe\xCC\x80vre"), "lefevre");  // e + U+0300
  EXPECT_EQ(FoldForSearch("E\xCD\xAF"), "e");              // U+036F, the last mark
}

TEST(SearchFoldTest, KeepsEverythingElseByteForByte) {
  EXPECT_EQ(FoldForSearch("× ÷"), "× ÷");
  EXPECT_EQ(FoldForSearch("Ωμέγα"), "Ωμέγα");            // other scripts: exact
  EXPECT_EQ(FoldForSearch("אבג 李"), "אבג 李");
  EXPECT_EQ(FoldForSearch("\xC3"), "\xC3");               // a cut sequence
  EXPECT_EQ(FoldForSearch("\xC3("), "\xC3(");             // a lead byte without continuation
  EXPECT_EQ(FoldForSearch(std::string_view("a\0B", 3)), std::string_view("a\0b", 3));
}

TEST(SearchFoldTest, FoldedSearchMatchesSubstringsOfEitherForm) {
  const FoldedSearch search("LEFÈV");
  EXPECT_TRUE(search.Matches("Élodie Lefèvre"));
  EXPECT_TRUE(search.Matches("elodie lefevre"));
  EXPECT_FALSE(search.Matches("Lefebvre"));
  EXPECT_TRUE(FoldedSearch("").Matches("anything"));
  EXPECT_TRUE(FoldedSearch("").empty());
}

}  // namespace
}  // namespace cohort::metrics
