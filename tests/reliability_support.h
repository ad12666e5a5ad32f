#pragma once

// What the reliability tests (crash_test, store_fault_test, shutdown_test) share: one account
// with a catalog, deterministic attempt batches, every view of SPEC §4.1 read through the API,
// the stored attempts read straight from the SQLite file, and a fresh server on a backup copy.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.h"

namespace cohort::testing {

inline constexpr int kUsers = 12;     // u0..u11, in groups g0 (even) and g1 (odd)
inline constexpr int kExercises = 6;  // e0..e5 of course "py", chapters c1 (e0-e2), c2 (e3-e5)

// Creates account "acme" and a token with `scopes` ("read,ingest") in `db`; returns the token.
std::string CreateAccountWithToken(const std::filesystem::path& db,
                                   const std::string& scopes = "read,ingest");

// Puts the catalog through the API: course py, groups g0/g1, users u0..u11.
void PutCatalog(HttpClient& client, const HeaderList& auth);

// One POST /api/v1/attempts body: `count` attempts with ids "<tag>-<i>", their content drawn
// from `seed` (same tag and seed, same bytes). A different seed with the same tag gives the
// same ids with different content: a conflicting re-post.
struct Batch {
  std::string body;
  std::vector<std::string> ids;
  std::vector<int> responses;  // per attempt, in the order of ids
};
Batch MakeBatch(const std::string& tag, int count, std::uint64_t seed);

HeaderList Bearer(const std::string& token);

// Every view of SPEC §4.1 for the catalog above (courses, course, user league with several sorts
// and a filter, group league, user in course for each user, every exercise history, account
// report), by target. Each must answer 200.
std::map<std::string, std::string> Views(std::uint16_t port, const std::string& token);

// Expects both to hold the same targets with byte-identical bodies; `what` names the comparison.
void ExpectSameViews(const std::map<std::string, std::string>& expected,
                     const std::map<std::string, std::string>& actual, std::string_view what);

// Every stored attempt of the file (client id → number of stored responses), read with the
// SQLite C API on a read-only connection.
std::map<std::string, int> StoredAttempts(const std::filesystem::path& db);

// PRAGMA integrity_check's answer ("ok" when sound), on a read-only connection.
std::string IntegrityCheck(const std::filesystem::path& db);

// Takes a copy of `db` with `cohort backup` (online; a server may be running on it), starts a
// second server on the copy (its engine rebuilt from scratch), and returns that server's views.
// `rebuild_ms`, when given, receives the second server's start time (rebuild included).
std::map<std::string, std::string> RebuiltViews(const std::filesystem::path& db,
                                                const std::filesystem::path& copy,
                                                const std::string& token,
                                                double* rebuild_ms = nullptr);

// Starts `cohort` with `args`, stdout and stderr appended to `log`; returns its pid. Use
// WaitChild() to reap it, then KeepChildLog() to hand the log to the audit.
pid_t SpawnCohort(const std::vector<std::string>& args, const std::filesystem::path& log);
// Waits for the child; its exit code, or 128 + signal when killed.
int WaitChild(pid_t pid);
void KeepChildLog(const std::filesystem::path& log);

// Runs a shell command (mount, umount, ...); returns its exit code and appends its output.
int RunShell(const std::string& command, std::string* output = nullptr);

// Milliseconds since `start`.
inline double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The checks every store error body passes: the JSON error shape, no SQL, no file path.
void ExpectCleanUnavailable(const HttpResponse& r, std::string_view what);

}  // namespace cohort::testing
