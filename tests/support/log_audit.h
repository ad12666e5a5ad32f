#pragma once

#include <string_view>

namespace cohort::testing {

// The log audit of a whole test run (tests/log_audit.py, run by CTest after every test that
// starts a server): every log line any test produced is kept under $COHORT_TEST_LOG_DIR and
// checked for passwords, tokens and emails, and each request line for its fields. Outside CTest
// (the variable unset) these do nothing.

// Keeps `text`, the log of a child process (its stderr), for the audit.
void KeepLogForAudit(std::string_view what, std::string_view text);

// For tests that run a server in their own process: logs JSON lines at info level and sends
// this process's standard error to a file of the audit. Call once, before other threads log.
void SendLogsToAudit();

// Records a secret a test uses (a password, a token, a session id) so that the audit checks
// that no log line holds it. Tokens (coh_...) and emails are found by pattern without this.
void AuditSecret(std::string_view secret);

}  // namespace cohort::testing
