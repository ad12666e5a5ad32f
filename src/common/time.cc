#include "common/time.h"

#include <charconv>
#include <chrono>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "common/clock.h"

namespace cohort {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::string FormatLocal(std::int64_t local_ms) {
  using namespace std::chrono;
  const sys_days day{days{local_ms >= 0 ? local_ms / kMsPerDay
                                        : -((-local_ms + kMsPerDay - 1) / kMsPerDay)}};
  const std::int64_t in_day = local_ms - day.time_since_epoch().count() * kMsPerDay;
  const year_month_day ymd{day};
  const auto ms = in_day % 1000;
  const auto s = in_day / 1000;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()),
                                unsigned(ymd.month()), unsigned(ymd.day()), s / 3600,
                                (s / 60) % 60, s % 60);
  if (ms != 0) out += fmt::format(".{:03}", ms);
  return out;
}

}  // namespace

std::optional<Instant> ParseRfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int ms = 0;
  if (s[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) ms *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  if (sec == 60) sec = 59;  // a leap second reads as the last ordinary one
  const std::int64_t days_since_epoch = sys_days{ymd}.time_since_epoch().count();
  const std::int64_t ms_total = days_since_epoch * kMsPerDay +
                                (std::int64_t{h} * 3600 + mi * 60 + sec) * 1000 + ms -
                                std::int64_t{offset_min} * 60'000;
  return Instant{ms_total};
}

std::string FormatDate(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  return fmt::format("{:04}-{:02}-{:02}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

std::optional<std::int64_t> ParseDate(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = starts[i]; k < starts[i] + lengths[i]; ++k) {
      if (text[k] < '0' || text[k] > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (text[k] - '0');
    }
  }
  const year_month_day ymd{year{parts[0]}, month{static_cast<unsigned>(parts[1])},
                           day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd}.time_since_epoch().count();
}

std::string FormatRfc3339Utc(Instant t) { return FormatLocal(t.ms) + "Z"; }

std::optional<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC") return Utc();
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(std::string(name), zone);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TimeZone TimeZone::Utc() { return TimeZone("UTC", nullptr); }

std::int64_t TimeZone::OffsetSeconds(Instant t) const {
  if (zone_ == nullptr) return 0;
  const date::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds{t.ms}};
  return zone_->get_info(tp).offset.count();
}

std::string TimeZone::Format(Instant t) const {
  const std::int64_t off = OffsetSeconds(t);
  if (off == 0) return FormatRfc3339Utc(t);
  const std::int64_t a = off < 0 ? -off : off;
  return FormatLocal(t.ms + off * 1000) +
         fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
}

std::int64_t TimeZone::LocalDay(Instant t) const {
  const std::int64_t local = t.ms + OffsetSeconds(t) * 1000;
  return local >= 0 ? local / kMsPerDay : -((-local + kMsPerDay - 1) / kMsPerDay);
}

Instant SystemClock::Now() const {
  using namespace std::chrono;
  return Instant{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

}  // namespace cohort
