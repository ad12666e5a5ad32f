#include "exports/xlsx_reader.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "common/subprocess.h"

namespace cohort::testing {

CommandOutput RunCommand(const std::string& command) {
  subprocess::Result r = subprocess::Run({"/bin/sh", "-c", command + " 2>&1"});
  return {r.exit_code, std::move(r.out)};
}

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / program;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

nlohmann::json ReadXlsx(const std::string& path) {
  const std::string node = FindOnPath("node");
  if (node.empty()) {
    ADD_FAILURE() << "node is not installed: the XLSX tests read files with exceljs (make setup)";
    return nullptr;
  }
  const std::string script = std::string(COHORT_SOURCE_DIR) + "/tests/exports/read_xlsx.mjs";
  CommandOutput out = RunCommand(node + " '" + script + "' '" + path + "'");
  if (out.exit_code != 0) {
    ADD_FAILURE() << "exceljs could not read " << path << " (is node_modules installed? make "
                  << "setup):\n"
                  << out.output;
    return nullptr;
  }
  nlohmann::json parsed = nlohmann::json::parse(out.output, nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "read_xlsx.mjs printed no JSON:\n" << out.output.substr(0, 2000);
    return nullptr;
  }
  return parsed;
}

}  // namespace cohort::testing
