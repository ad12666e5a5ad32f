#pragma once

#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "domain/write_batch.h"

namespace cohort::ingest {

// `cohort import` CSV: RFC 4180 (quoted fields, "" escapes, CRLF or LF line ends, optional
// UTF-8 byte-order mark), one header row, then one row per response:
//   attempt,user,course,exercise,started_at,finished_at,question,correct,hints,time_ms,
//   answered_at,points
// Columns may come in any order; finished_at, hints, time_ms, answered_at and points may be
// absent or empty (their defaults apply); `correct` is true/false/1/0. The rows of one attempt
// are consecutive and in response order, and repeat the same attempt fields.
// Errors name the line: index = the 0-based attempt index, pointer = "/line/N" (1-based line
// number in the file) plus "/column" for the bad field, e.g. "/line/7/hints".
// Returns a WriteBatch with only the `attempts` section (origin {"/attempts", indexed}).
Result<domain::WriteBatch> ParseAttemptsCsv(std::string_view csv, Instant now);

}  // namespace cohort::ingest
