#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"
#include "export/sheet.h"

namespace cohort::exports {

// What a Stream says after each call to Next.
enum class Step {
  kMore,     // `chunk` holds the next piece (possibly empty); call again
  kDone,     // `chunk` holds the last piece (possibly empty); the file is complete
  kFailed,   // stop: the file cannot be completed (the cause is logged); `chunk` is empty
  kPending,  // nothing yet (`chunk` left empty): the file is being made on another thread;
             // call again later, or Wait() for it
};

// A file of SPEC §6 produced piece by piece, so that neither its rows nor its text need be held
// whole. It knows nothing of who reads it (a network answer, a file on disk). Not thread-safe (one reader); the work it started on other threads is its
// own business, and it may be destroyed at any time (a file still being written is abandoned).
class Stream {
 public:
  virtual ~Stream() = default;

  // Replaces `chunk` with the next piece of the file. Once it answered kDone or kFailed it must
  // not be called again.
  virtual Step Next(std::string& chunk) = 0;

  // Blocks until Next would not answer kPending: for readers that may wait (a file on disk, a
  // benchmark) rather than poll. Returns at once for a stream that is never pending.
  virtual void Wait() {}
};

// The CSV file of `sheet` (CsvStream), never pending. `failed`, when set, is asked after each
// piece: true ends the stream as kFailed (for rows built while the file is read, which could
// not be).
std::unique_ptr<Stream> CsvFile(Sheet sheet, TimeZone zone, std::function<bool()> failed = {});

// The XLSX workbook of `sheets` (WriteXlsx): written by a worker thread (a few for the process,
// so that callers' threads stay free) to a temporary file in `tmpdir` (the system's when empty),
// which is unlinked at once and read back piece by piece. Pending until the workbook is written;
// failed when it could not be. The sheets' data must stay valid until then (Sheet::fill).
std::unique_ptr<Stream> XlsxFile(std::vector<Sheet> sheets, TimeZone zone, std::string tmpdir);

}  // namespace cohort::exports
