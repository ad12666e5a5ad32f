#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace cohort {

// A point in time: milliseconds since the Unix epoch, UTC. Every stored time is one of these.
struct Instant {
  std::int64_t ms = 0;
  auto operator<=>(const Instant&) const = default;
};

inline constexpr std::int64_t kMsPerSecond = 1000;
inline constexpr std::int64_t kMsPerDay = 86'400'000;

// Parses RFC 3339 ("2026-03-01T09:30:00Z", "2026-03-01T10:30:00.250+01:00"). Fractions beyond
// milliseconds are truncated. Returns nullopt for anything else, including out-of-range fields.
std::optional<Instant> ParseRfc3339(std::string_view text);

// "2026-03-02" for a day number (days since 1970-01-01).
std::string FormatDate(std::int64_t day);
// The day number of "2026-03-02" (exactly YYYY-MM-DD, a real date); nullopt for anything else.
std::optional<std::int64_t> ParseDate(std::string_view text);

// "2026-03-01T09:30:00.250Z"; the fraction only when it is not zero.
std::string FormatRfc3339Utc(Instant t);

// An IANA time zone, resolved once. Cheap to copy; thread-safe.
class TimeZone {
 public:
  // Returns nullopt when `name` is not a known IANA zone name.
  static std::optional<TimeZone> Find(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  // The zone's offset from UTC at `t`, in seconds.
  std::int64_t OffsetSeconds(Instant t) const;
  // RFC 3339 with this zone's offset at `t` ("2026-03-01T10:30:00.250+01:00").
  std::string Format(Instant t) const;
  // Days since 1970-01-01 of the local calendar date at `t`.
  std::int64_t LocalDay(Instant t) const;

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const date::time_zone* zone_;  // owned by the tz database, lives for the process
};

}  // namespace cohort
