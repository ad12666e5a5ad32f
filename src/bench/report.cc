#include "bench/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

namespace cohort::bench {

void PrintReport(BenchRun& run, const std::string& scale, int mismatches) {
  const json& f = run.figures;
  struct Row {
    std::string figure, value, target;
    std::optional<bool> met;
  };
  std::vector<Row> rows;
  auto num = [](const json& j, const char* a, const char* b) -> double {
    if (!j.contains(a) || !j[a].contains(b)) return std::nan("");
    return j[a][b].get<double>();
  };
  auto add = [&](std::string figure, double value, const std::string& unit, std::string target,
                 std::optional<bool> met, int digits = 1) {
    rows.push_back({std::move(figure),
                    std::isnan(value) ? "—" : fmt::format("{:.{}f} {}", value, digits, unit),
                    std::move(target), std::isnan(value) ? std::optional<bool>(false) : met});
  };
  const double import_rate = num(f, "import", "responses_per_s");
  add("import", import_rate, "responses/s", "≥ 1,000,000", import_rate >= 1e6, 0);
  const double ingest_rate = num(f, "http_ingest", "responses_per_s");
  add("HTTP ingest (4 clients, batches of 1,000 × 5)", ingest_rate, "responses/s", "≥ 150,000",
      ingest_rate >= 150000, 0);
  const double fresh = num(f, "freshness", "p99_ms");
  add("freshness p99", fresh, "ms", "< 50 ms", fresh < 50, 2);
  const double rebuild = num(f, "start", "rebuild_s");
  add("start (rebuild until /healthz)", rebuild, "s", "≤ 30 s", rebuild <= 30, 2);
  const double rss = num(f, "start", "rss_bytes") / 1073741824.0;
  add("resident memory after start", rss, "GiB", "≤ 2.5 GiB", rss <= 2.5, 3);
  add("  per stored response", num(f, "start", "rss_bytes_per_response"), "B", "", std::nullopt);
  add("  per touched user × exercise cell", num(f, "start", "rss_bytes_per_cell"), "B", "",
      std::nullopt);
  if (f.contains("latency")) {
    for (const auto& [view, p] : f["latency"].items()) {
      if (view == "account report (csv)") {
        add(fmt::format("account report, first byte p99 (p50 {:.1f} ms)",
                        p["first_byte_p50_ms"].get<double>()),
            p["first_byte_p99_ms"].get<double>(), "ms", "(no target)", std::nullopt);
        add(fmt::format("account report, total p99 (p50 {:.1f} ms)", p["total_p50_ms"].get<double>()),
            p["total_p99_ms"].get<double>(), "ms", "(no target)", std::nullopt);
        continue;
      }
      const double bound = view == "all courses" || view == "course + chapters" ? 2.0 : 10.0;
      const double p99 = p["p99_ms"].get<double>();
      add(fmt::format("{} p99 (p50 {:.3f} ms)", view, p["p50_ms"].get<double>()), p99, "ms",
          fmt::format("< {:.0f} ms", bound), p99 < bound, 3);
    }
  }
  if (f.contains("sql") && f["sql"].contains("views")) {
    for (const auto& [view, v] : f["sql"]["views"].items()) {
      const double speedup = v["speedup_vs_fastest_sql"].get<double>();
      const bool aggregate = view != "user";
      add(fmt::format("{}: SQLite {:.1f}, PostgreSQL {:.1f}, DuckDB {:.1f} ms → Cohort 1 :", view,
                      v["sqlite_ms"].get<double>(), v["postgres_ms"].get<double>(),
                      v["duckdb_ms"].get<double>()),
          speedup, "", aggregate ? "≥ 100×" : "(no target)",
          aggregate ? std::optional<bool>(speedup >= 100) : std::nullopt, 0);
      const bool same = v["sqlite_matches"].get<bool>() && v["postgres_matches"].get<bool>() &&
                        v["duckdb_matches"].get<bool>();
      rows.push_back({fmt::format("{}: same answer as Cohort (3 engines)", view),
                      same ? "yes" : "NO", "yes", same});
    }
  }
  std::size_t width = 0;
  for (const Row& r : rows) width = std::max(width, r.figure.size());
  std::cout << fmt::format("\ncohort bench --scale {} (targets of issue 7 are for scale M; load "
                           "average now {:.2f})\n",
                           scale, LoadAverage());
  for (const Row& r : rows) {
    std::cout << fmt::format("  {:<{}}  {:>22}  {:<12} {}\n", r.figure, width, r.value, r.target,
                             r.met ? (*r.met ? "✔" : "✘") : "");
  }
  if (!run.failures.empty()) {
    std::cout << "FAILED steps:\n";
    for (const std::string& s : run.failures) std::cout << "  " << s << "\n";
  }
  json targets = json::array();
  for (const Row& r : rows) {
    targets.push_back({{"figure", r.figure}, {"value", r.value}, {"target", r.target},
                       {"met", r.met ? json(*r.met) : json()}});
  }
  run.figures["targets"] = targets;
  run.figures["machine"]["load_average_at_end"] = LoadAverage();
  run.figures["failures"] = run.failures;
  run.figures["mismatches"] = mismatches;
  if (!run.options.json_file.empty()) {
    std::ofstream out(run.options.json_file);
    out << run.figures.dump(2) << "\n";
    if (!out) std::cerr << "cohort bench: cannot write " << run.options.json_file << "\n";
  }
}

}  // namespace cohort::bench
