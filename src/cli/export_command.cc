// cohort export: a view of SPEC §4.1 as a CSV or XLSX file, through the service's export
// (service/exports.h), the same stream the HTTP API sends, over an engine the service rebuilds
// from the store for the one account.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "export/stream.h"
#include "service/exports.h"
#include "service/service.h"
#include "store/store.h"

namespace cohort::cli {
namespace {

struct ViewSpec {
  const char* name;
  service::ExportView view;
  bool course, user, exercise;  // which keys it needs
};

constexpr ViewSpec kViews[] = {
    {"courses", service::ExportView::kAllCourses, false, false, false},
    {"course", service::ExportView::kCourse, true, false, false},
    {"league", service::ExportView::kLeague, true, false, false},
    {"groups", service::ExportView::kGroups, true, false, false},
    {"user", service::ExportView::kUser, true, true, false},
    {"history", service::ExportView::kHistory, true, true, true},
    {"report", service::ExportView::kReport, false, false, false},
};

int Refuse(const std::string& message) {
  std::cerr << "cohort: " << message << "\n";
  return 1;
}

}  // namespace

int RunExport(const ExportCliOptions& options) {
  const ViewSpec* spec = nullptr;
  for (const ViewSpec& v : kViews) {
    if (options.view == v.name) spec = &v;
  }
  if (spec == nullptr) {
    return Refuse("unknown view '" + options.view +
                  "' (use courses, course, league, groups, user, history or report)");
  }
  const auto need = [&](bool needed, const std::string& value, const char* flag) {
    return needed && value.empty() ? fmt::format("the view '{}' needs {}", options.view, flag)
                                   : std::string();
  };
  for (const std::string& missing :
       {need(spec->course, options.course, "--course"), need(spec->user, options.user, "--user"),
        need(spec->exercise, options.exercise, "--exercise")}) {
    if (!missing.empty()) return Refuse(missing);
  }
  service::ExportFormat format = service::ExportFormat::kCsv;
  if (options.format == "xlsx") {
    format = service::ExportFormat::kXlsx;
  } else if (options.format != "csv") {
    return Refuse("unknown format '" + options.format + "' (use csv or xlsx)");
  }
  if (!store::IsPostgresUri(options.db) && !std::filesystem::exists(options.db)) {
    return Refuse("no database at " + options.db);
  }
  Result<std::unique_ptr<store::Store>> opened = store::OpenStoreReadOnly(options.db);
  if (!opened.ok()) {
    return Refuse("cannot open " + store::MaskDbUri(options.db) + ": " + opened.status().message());
  }
  store::Store& store = *opened.value();
  SystemClock clock;
  // The service loads the caller's account into its engine on first use, as the server does
  // at start: every figure is rebuilt from the stored events.
  service::Service service(store, clock);
  Result<service::Caller> caller = service.LocalAdmin(options.account);
  if (!caller.ok()) return Refuse(caller.status().ToString());

  service::ExportRequest what;
  what.view = spec->view;
  what.course = options.course;
  what.user = options.user;
  what.exercise = options.exercise;
  what.query.sort = spec->view == service::ExportView::kReport ? "name" : "rank";
  what.query.limit = service::kAllRows;
  const std::filesystem::path output(options.output);
  const std::filesystem::path partial = output.string() + ".partial";
  Result<service::ExportFile> started =
      service::StartExport(service, *caller, what, format,
                           output.has_parent_path() ? output.parent_path().string() : "");
  if (!started.ok()) {
    std::cerr << "cohort: " << started.status().ToString() << "\n";
    return started.status().code() == ErrorCode::kInternal ? 2 : 1;
  }
  exports::Stream& body = *started->body;
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) return Refuse("cannot write " + partial.string());
  std::string chunk;
  std::size_t bytes = 0;
  for (;;) {
    const exports::Step step = body.Next(chunk);
    if (step == exports::Step::kPending) {  // the workbook is being written
      body.Wait();
      continue;
    }
    if (step == exports::Step::kFailed) {
      out.close();
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      return Refuse("the export failed (see the log)");
    }
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    bytes += chunk.size();
    if (step == exports::Step::kDone) break;
  }
  out.close();
  std::error_code ec;
  if (!out) {
    std::filesystem::remove(partial, ec);
    return Refuse("cannot write " + partial.string());
  }
  std::filesystem::rename(partial, output, ec);
  if (ec) return Refuse("cannot move the export to " + output.string() + ": " + ec.message());
  std::cout << fmt::format("{} of account {} written to {} ({} bytes)\n", options.view,
                           options.account, output.string(), bytes);
  return 0;
}

}  // namespace cohort::cli
