#include "export/csv_writer.h"

#include <gtest/gtest.h>

namespace cohort::exports {
namespace {

Sheet TwoColumns(std::vector<std::string> names) {
  Sheet s;
  s.name = "t";
  s.columns = {{"Name", ColumnKind::kText}, {"Mastery %", ColumnKind::kPercent}};
  s.rows = names.size();
  s.fill = [names = std::move(names)](std::size_t i, std::vector<Cell>& cells) {
    cells[0] = names[i];
    cells[1] = 0.725;
    return true;
  };
  return s;
}

std::string All(CsvStream& stream) {
  std::string out, chunk;
  while (stream.Next(chunk)) out += chunk;
  return out;
}

TEST(CsvWriterTest, StartsWithTheByteOrderMarkAndEndsEveryRecordWithCrLf) {
  CsvStream stream(TwoColumns({"Ann", "Bob"}), TimeZone::Utc());
  EXPECT_EQ(All(stream), "\xEF\xBB\xBFName,Mastery %\r\nAnn,72.5\r\nBob,72.5\r\n");
}

TEST(CsvWriterTest, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  std::string out;
  AppendCsvField(out, "Lee, \"Ann\"\nline", true);
  EXPECT_EQ(out, "\"Lee, \"\"Ann\"\"\nline\"");
}

TEST(CsvWriterTest, GuardsTextThatStartsLikeAFormula) {
  for (const std::string text : {"=1+1", "+x", "-2", "@SUM(A1)", "\tTab"}) {
    std::string out;
    AppendCsvField(out, text, true);
    EXPECT_EQ(out, "'" + text) << text;
  }
  std::string cr;
  AppendCsvField(cr, "\rx", true);
  EXPECT_EQ(cr, "\"'\rx\"");
  std::string plain;
  AppendCsvField(plain, "a=b", true);
  EXPECT_EQ(plain, "a=b");
}

TEST(CsvWriterTest, NumbersInTheUnitsOfTheSpec) {
  EXPECT_EQ(PercentText(0.725), "72.5");
  EXPECT_EQ(PercentText(0.2), "20.0");
  EXPECT_EQ(PercentText(1.0), "100.0");
  EXPECT_EQ(PercentText(1.0 / 3), "33.3");
  EXPECT_EQ(SecondsText(75'500), "75.5");
  EXPECT_EQ(SecondsText(7'200'000), "7200");
  EXPECT_EQ(SecondsText(1'234.4), "1.234");
  EXPECT_EQ(SecondsText(0), "0");
  EXPECT_EQ(HmsText(75'500), "0:01:16");
  EXPECT_EQ(HmsText(90'000'000), "25:00:00");
}

TEST(CsvWriterTest, EmptyCellsForNullsAndTimesInTheZone) {
  Sheet s;
  s.columns = {{"At", ColumnKind::kDateTime},
               {"Score %", ColumnKind::kPercent},
               {"Done", ColumnKind::kBoolean},
               {"N", ColumnKind::kInteger}};
  s.rows = 2;
  s.fill = [](std::size_t i, std::vector<Cell>& cells) {
    if (i == 0) {
      cells[0] = Instant{1'773'144'000'000};
      cells[1] = 0.5;
      cells[2] = true;
      cells[3] = std::int64_t{42};
    }
    return true;
  };
  CsvStream stream(std::move(s), *TimeZone::Find("Europe/Paris"));
  EXPECT_EQ(All(stream),
            "\xEF\xBB\xBF"
            "At,Score %,Done,N\r\n2026-03-10T13:00:00+01:00,50.0,true,42\r\n,,,\r\n");
}

TEST(CsvWriterTest, LeavesOutRowsThatFillRefuses) {
  Sheet s = TwoColumns({"Ann", "Bob", "Cat"});
  auto inner = s.fill;
  s.fill = [inner](std::size_t i, std::vector<Cell>& cells) { return i != 1 && inner(i, cells); };
  CsvStream stream(std::move(s), TimeZone::Utc());
  EXPECT_EQ(All(stream), "\xEF\xBB\xBFName,Mastery %\r\nAnn,72.5\r\nCat,72.5\r\n");
}

TEST(CsvWriterTest, ProducesPiecesOfAboutTheChunkSize) {
  std::vector<std::string> names(1000, std::string(50, 'x'));
  CsvStream stream(TwoColumns(names), TimeZone::Utc(), 4096);
  std::string chunk;
  int pieces = 0;
  std::size_t total = 0;
  while (stream.Next(chunk)) {
    ++pieces;
    total += chunk.size();
    EXPECT_LT(chunk.size(), 4096u + 100);
  }
  EXPECT_GT(pieces, 10);
  EXPECT_EQ(total, 3 + 16 + 1000 * (50 + 1 + 4 + 2));
  EXPECT_FALSE(stream.Next(chunk));
  EXPECT_TRUE(chunk.empty());
}

}  // namespace
}  // namespace cohort::exports
