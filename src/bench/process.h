#pragma once

#include <sys/types.h>

#include <string>

#include "common/subprocess.h"

namespace cohort::bench {

// The bench's child processes are common/subprocess.h's; what it reads of them is here.
using ProcessResult = subprocess::Result;

// A TCP port free on 127.0.0.1 now (bound to port 0, read, released); 0 on failure.
int FreePort();

// A field of /proc/PID/status in bytes ("VmRSS", "RssAnon", "RssFile", "VmHWM"); 0 when unknown.
double StatusBytes(pid_t pid, const std::string& field);
// Resident memory of a process in bytes (VmRSS).
inline double ResidentBytes(pid_t pid) { return StatusBytes(pid, "VmRSS"); }

// What a process has done so far: CPU seconds of all its threads (/proc/PID/stat utime + stime)
// and bytes it made the kernel read or write (/proc/PID/io rchar + wchar). Zero when unknown.
struct Activity {
  double cpu_s = 0;
  double io_bytes = 0;
};
Activity ActivityOf(pid_t pid);

}  // namespace cohort::bench
