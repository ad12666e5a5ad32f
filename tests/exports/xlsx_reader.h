#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cohort::testing {

// Runs a shell command; returns its exit status and what it wrote on stdout and stderr.
struct CommandOutput {
  int exit_code = -1;
  std::string output;
};
CommandOutput RunCommand(const std::string& command);

// The full path of `program` on PATH, or "" when it is not installed.
std::string FindOnPath(const std::string& program);

// Reads an XLSX file with exceljs (tests/exports/read_xlsx.mjs, run by node): {"sheets": [{
// "name", "frozen": {"x", "y"} | null, "autoFilter", "widths": [...], "rows": [[{"t", "v",
// "f"?, "b"?}]]}]}. Adds a test failure (and returns null) when node or exceljs is missing
// (`make setup` installs them) or the file cannot be read.
nlohmann::json ReadXlsx(const std::string& path);

}  // namespace cohort::testing
