// Unit tests of the XLSX writer's own rules; the cells, types and formats of whole workbooks
// are read back by an independent reader (exceljs) in tests/export_test.cc.
#include "export/xlsx_writer.h"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace cohort::exports {
namespace {

TEST(XlsxWriterTest, SheetNamesAreValidShortAndUnique) {
  EXPECT_EQ(SheetName("python-101", {}), "python-101");
  EXPECT_EQ(SheetName("a/b:c*d?e[f]g\\h", {}), "a_b_c_d_e_f_g_h");
  EXPECT_EQ(SheetName("'quoted'", {}), "quoted");
  EXPECT_EQ(SheetName("", {}), "Sheet");
  EXPECT_EQ(SheetName("history", {}), "history (2)");  // reserved by Excel
  const std::string long_name(40, 'x');
  EXPECT_EQ(SheetName(long_name, {}), std::string(31, 'x'));
  // Built with append, not operator+: GCC 12 warns falsely (-Warray-bounds) on a temporary
  // std::string(27, 'x') + " (2)".
  std::string shortened(27, 'x');
  shortened.append(" (2)");
  EXPECT_EQ(SheetName(long_name, {std::string(31, 'x')}), shortened);
  EXPECT_EQ(SheetName("Summary", {"summary"}), "Summary (2)");
  // 31 characters, not bytes: each é is two bytes.
  const std::string accents = [] {
    std::string s;
    for (int i = 0; i < 40; ++i) s += "\xC3\xA9";
    return s;
  }();
  EXPECT_EQ(SheetName(accents, {}).size(), 62u);
}

TEST(XlsxWriterTest, WritesAZipFileAndReportsAnUnwritablePath) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("cohort-xlsx-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  Sheet sheet;
  sheet.name = "t";
  sheet.columns = {{"Name", ColumnKind::kText}, {"Mastery %", ColumnKind::kPercent}};
  sheet.rows = 3;
  sheet.fill = [](std::size_t i, std::vector<Cell>& cells) {
    cells[0] = "row " + std::to_string(i);
    cells[1] = 0.5;
    return true;
  };
  const std::string path = (dir / "t.xlsx").string();
  Status ok = WriteXlsx({sheet}, TimeZone::Utc(), path, dir.string());
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  in.read(magic, 2);
  EXPECT_EQ(std::string(magic, 2), "PK");
  Status bad =
      WriteXlsx({sheet}, TimeZone::Utc(), (dir / "missing" / "t.xlsx").string(), dir.string());
  EXPECT_EQ(bad.code(), ErrorCode::kInternal);
  Sheet huge = sheet;
  huge.rows = 1'048'576;  // one more than fits below the header
  Status too_many = WriteXlsx({huge}, TimeZone::Utc(), path, dir.string());
  EXPECT_EQ(too_many.code(), ErrorCode::kInvalid);
  EXPECT_NE(too_many.message().find("1048576"), std::string::npos) << too_many.message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cohort::exports
