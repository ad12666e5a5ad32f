#include "export/stream.h"

#include <utility>

#include "export/csv_writer.h"

namespace cohort::exports {
namespace {

class CsvFileStream final : public Stream {
 public:
  CsvFileStream(Sheet sheet, TimeZone zone, std::function<bool()> failed)
      : csv_(std::move(sheet), std::move(zone)), failed_(std::move(failed)) {}

  Step Next(std::string& chunk) override {
    const bool more = csv_.Next(chunk);
    if (failed_ && failed_()) {
      chunk.clear();
      return Step::kFailed;
    }
    return more ? Step::kMore : Step::kDone;
  }

 private:
  CsvStream csv_;
  std::function<bool()> failed_;
};

}  // namespace

std::unique_ptr<Stream> CsvFile(Sheet sheet, TimeZone zone, std::function<bool()> failed) {
  return std::make_unique<CsvFileStream>(std::move(sheet), std::move(zone), std::move(failed));
}

}  // namespace cohort::exports
