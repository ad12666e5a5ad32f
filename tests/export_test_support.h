#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "exports/xlsx_reader.h"
#include "support/http_client.h"

namespace cohort::testing {

// Records of fields, from an independent RFC 4180 reader (not the writer's code): fields are
// separated by commas, records end with CRLF, a field in double quotes may hold commas, CR, LF
// and doubled quotes. Anything else — a quote inside an unquoted field, text after a closing
// quote, a bare LF or CR outside quotes, an unterminated quote, a last record without CRLF —
// is an error (nullopt), so a sloppy writer cannot pass.
using CsvRecords = std::vector<std::vector<std::string>>;
std::optional<CsvRecords> ParseRfc4180(std::string_view text);

// How a JSON field of a view appears in an export column.
enum class Shown {
  kText,     // the string; CSV: with ' before =, +, -, @, tab, CR
  kInteger,  // a whole number
  kPercent,  // a fraction: CSV round(100 × v, 1) with one decimal; XLSX the fraction as 0.0%
  kSeconds,  // seconds: CSV plain decimal; XLSX a number
  kHms,      // seconds again: CSV h:mm:ss; XLSX days with [h]:mm:ss
  kTime,     // RFC 3339 in the account's zone: CSV the same text; XLSX the local date-time
  kBoolean,  // CSV true/false; XLSX a boolean
  kGroups,   // a list of keys: CSV joined with "; "
};

struct ExportColumn {
  std::string header;
  std::string field;  // the JSON row's field
  Shown shown;
};

// The columns of each view's export, in order, as docs/decisions.md lists them.
std::vector<ExportColumn> AllCoursesColumns();
std::vector<ExportColumn> CourseColumns();  // rows: course, chapters, weeks (CourseRowsJson)
std::vector<ExportColumn> LeagueColumns();
std::vector<ExportColumn> GroupColumns();
std::vector<ExportColumn> UserColumns();  // rows: the view's "exercises"
std::vector<ExportColumn> HistoryColumns();
std::vector<ExportColumn> ReportColumns();

// The course view's JSON as the rows its export shows: the headline ("row": "course", "key":
// the course), each chapter ("chapter"), each week ("week", "key": the Monday).
nlohmann::json CourseRowsJson(const nlohmann::json& course);

// Expects `csv` (without the BOM) to be the header of `columns` and then exactly `rows` (a JSON
// array of objects), cell by cell, in order.
void ExpectCsvMatchesJson(const CsvRecords& csv, const nlohmann::json& rows,
                          const std::vector<ExportColumn>& columns);

// The Excel serial date-time of the wall-clock part of an RFC 3339 time
// ("2026-03-09T11:00:04.500+01:00" → the serial of 2026-03-09 11:00:04.500).
double ExcelSerialOfLocalTime(const std::string& rfc3339);

// An ApiFixture with data worth exporting: the catalog of SeedCatalog, a second course "inj"
// whose title starts with =, 130 users (more than a default page) with attempts, among them
// names that look like formulas, accents, emoji, commas, quotes and line breaks.
class ExportFixture : public ApiFixture {
 protected:
  void SetUp() override;
  // GET with the read token (and extra headers).
  HttpResponse Get(const std::string& target, const HeaderList& headers = {});
  nlohmann::json GetJson(const std::string& target);
  // The CSV of `target`: checks status 200, the content type, the BOM, and parses the rest.
  CsvRecords GetCsv(const std::string& target);
};

// The names given to users "inj0".."inj7", "zoe" etc. in ExportFixture.
const std::vector<std::string>& TrickyNames();

}  // namespace cohort::testing
