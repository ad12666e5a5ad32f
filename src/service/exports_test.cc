// The service's exports without HTTP (service/exports.h): the stream a caller reads, its file
// name and media type, XLSX written off the caller's thread and waited for, and the view's errors
// before any stream starts.
#include "service/exports.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "export/stream.h"
#include "service/testing/test_world.h"
#include "store/sqlite/sqlite_store.h"

namespace cohort::service {
namespace {

using testing::TestAttempt;
using testing::TestCatalog;

constexpr Instant kNow{1'772'000'000'000};  // 2026-02-25 UTC

// Everything a stream gives, waiting (not polling) while it is pending, and how often it gave
// each answer.
struct Drained {
  std::string bytes;
  int more = 0, pending = 0, done = 0, failed = 0;
};

Drained Drain(exports::Stream& stream) {
  Drained d;
  std::string chunk;
  for (;;) {
    const exports::Step step = stream.Next(chunk);
    switch (step) {
      case exports::Step::kPending:
        ++d.pending;
        EXPECT_TRUE(chunk.empty());
        stream.Wait();
        continue;
      case exports::Step::kFailed:
        ++d.failed;
        return d;
      case exports::Step::kMore:
        ++d.more;
        d.bytes += chunk;
        continue;
      case exports::Step::kDone:
        ++d.done;
        d.bytes += chunk;
        return d;
    }
  }
}

// Account acme (UTC; TestCatalog, and one attempt each by ann and bob) in a fresh SQLite file,
// and a Service over it.
class ServiceExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cohort-service-exports-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::sqlite::SqliteStore::Open((dir_ / "cohort.db").string(), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    service_ = std::make_unique<Service>(*store_, clock_);
    ASSERT_TRUE(service_->CreateAccount({"acme", "Acme", "UTC"}).ok());
    ASSERT_TRUE(service_->Rebuild(nullptr).ok());
    caller_ = service_->LocalAdmin("acme").value();
    ASSERT_TRUE(service_->Write(*caller_, TestCatalog()).ok());
    domain::WriteBatch attempts;
    attempts.attempts.origin = {"/attempts", true};
    attempts.attempts.items = {TestAttempt("a1", "ann", "e1", kNow.ms - 3'600'000),
                               TestAttempt("b1", "bob", "e2", kNow.ms - 7'200'000)};
    Result<domain::WriteSummary> written = service_->Write(*caller_, std::move(attempts));
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  void TearDown() override {
    service_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  ExportRequest Request(ExportView view, std::string sort = "rank") const {
    ExportRequest what;
    what.view = view;
    what.course = "c1";
    what.query.sort = std::move(sort);
    what.query.limit = kAllRows;
    return what;
  }

  std::filesystem::path dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<Service> service_;
  std::optional<Caller> caller_;
};

TEST_F(ServiceExportsTest, LeagueCsvIsNamedTypedAndStreamedWithoutHttp) {
  Result<ExportFile> file =
      StartExport(*service_, *caller_, Request(ExportView::kLeague), ExportFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->file_name, "acme-c1-league-2026-02-25.csv");
  EXPECT_EQ(file->content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(file->content_type, ContentType(ExportFormat::kCsv));
  const Drained d = Drain(*file->body);
  EXPECT_EQ(d.pending, 0);  // CSV is made on the reader's thread
  EXPECT_EQ(d.failed, 0);
  EXPECT_EQ(d.done, 1);
  const std::string header =
      "\xEF\xBB\xBFRank,User,Name,Email,Mastery %,Progress %,Completed,Completed at,Certified,"
      "Certified at,Score %,Points,Time (s),Time,Enrolled at,Last active,Days inactive,"
      "Not started,At risk\r\n";
  ASSERT_GE(d.bytes.size(), header.size());
  EXPECT_EQ(d.bytes.substr(0, header.size()), header);
  EXPECT_NE(d.bytes.find(",ann,ann,"), std::string::npos) << d.bytes;
  EXPECT_NE(d.bytes.find(",bob,bob,"), std::string::npos) << d.bytes;
  std::size_t records = 0;
  for (std::size_t at = d.bytes.find("\r\n"); at != std::string::npos;
       at = d.bytes.find("\r\n", at + 2)) {
    ++records;
  }
  EXPECT_EQ(records, 3u);  // the header and two users
}

TEST_F(ServiceExportsTest, ReportCsvByNameIsBuiltPageByPageAndMatchesTheSortedReport) {
  Result<ExportFile> paged =
      StartExport(*service_, *caller_, Request(ExportView::kReport, "name"), ExportFormat::kCsv);
  ASSERT_TRUE(paged.ok()) << paged.status().ToString();
  EXPECT_EQ(paged->file_name, "acme-report-2026-02-25.csv");
  const Drained by_name = Drain(*paged->body);
  EXPECT_EQ(by_name.done, 1);
  EXPECT_NE(by_name.bytes.find("ann@example.com"), std::string::npos);
  EXPECT_LT(by_name.bytes.find("ann@example.com"), by_name.bytes.find("bob@example.com"));
  // The same rows, fetched whole (a sort the plan cannot follow), in the opposite order.
  ExportRequest by_email = Request(ExportView::kReport, "email");
  by_email.query.descending = true;
  Result<ExportFile> whole = StartExport(*service_, *caller_, by_email, ExportFormat::kCsv);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  const Drained reversed = Drain(*whole->body);
  EXPECT_EQ(reversed.done, 1);
  EXPECT_EQ(reversed.bytes.size(), by_name.bytes.size());
  EXPECT_GT(reversed.bytes.find("ann@example.com"), reversed.bytes.find("bob@example.com"));
}

TEST_F(ServiceExportsTest, XlsxIsWrittenOffTheCallersThreadAndWaitedFor) {
  Result<ExportFile> file = StartExport(*service_, *caller_, Request(ExportView::kLeague),
                                        ExportFormat::kXlsx, dir_.string());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->file_name, "acme-c1-league-2026-02-25.xlsx");
  EXPECT_EQ(file->content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  file->body->Wait();  // returns once written; Next is then never pending
  std::string chunk;
  const exports::Step first = file->body->Next(chunk);
  ASSERT_NE(first, exports::Step::kPending);
  ASSERT_NE(first, exports::Step::kFailed);
  ASSERT_GE(chunk.size(), 2u);
  EXPECT_EQ(chunk.substr(0, 2), "PK");  // a ZIP container
  std::string bytes = chunk;
  if (first == exports::Step::kMore) bytes += Drain(*file->body).bytes;
  EXPECT_GT(bytes.size(), 1000u);
  // The temporary file was unlinked as soon as it was open: nothing is left in `tmpdir`.
  std::size_t left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().filename().string().starts_with("cohort-export-")) ++left;
  }
  EXPECT_EQ(left, 0u);
}

TEST_F(ServiceExportsTest, AViewThatCannotBeReadStartsNoExport) {
  ExportRequest what = Request(ExportView::kLeague);
  what.course = "nope";
  Result<ExportFile> file = StartExport(*service_, *caller_, what, ExportFormat::kXlsx);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kNotFound);
  what = Request(ExportView::kLeague, "no_such_column");
  file = StartExport(*service_, *caller_, what, ExportFormat::kCsv);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalid);
}

}  // namespace
}  // namespace cohort::service
