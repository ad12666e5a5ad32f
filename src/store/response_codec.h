#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "domain/attempt.h"

namespace cohort::store {

// An attempt's responses are stored in its row, as one JSON array (migration 3; one row per
// attempt instead of one per response makes imports twice as fast, docs/decisions.md):
//   [["q1",1,0,12000,3500],["q2",0,2,8000,11500,10]]
// each element [question, correct 0/1, hints, time_ms, answered_at − started_at in ms,
// points (absent or null when not given)], in response order. It is JSON so that SQL reads it
// with json_each (the `responses` view does); the store writes and reads this one fixed form
// itself, without a JSON library (JSON types stay in ingest and http, STYLE.md §2).

// Appends the encoding of `attempt.responses` to `out` (cleared first).
void EncodeResponses(const domain::Attempt& attempt, std::string& out);

// Parses `text` (as written by EncodeResponses, SQLite's json_array or PostgreSQL's text) into `out`
// (cleared first), answered_at relative to `started_at`. Errors: kInternal when `text` is not
// of that form (a corrupt row).
Status DecodeResponses(std::string_view text, Instant started_at,
                       std::vector<domain::Response>& out);

}  // namespace cohort::store
