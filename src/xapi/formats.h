#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

// The lexical formats of xAPI 1.0.3 values (§4.2–§4.6 and §2.4.2.3), checked best-effort as
// §2.2 allows ("The LRS MAY use best-effort validation for IRL and IRI formats" and for
// language map keys). Pure functions; internal to cohort_xapi and its tests.
namespace cohort::xapi::internal {

// An absolute IRI: a scheme (RFC 3986 §3.1), ':', then at least one character; no whitespace,
// control characters or the characters RFC 3987 excludes (<>"{}|\^`), and every '%' followed
// by two hex digits. Non-ASCII characters are allowed (they make an IRI of a URI). IRLs are
// checked the same way.
bool IsIri(std::string_view text);

// A mailto IRI: "mailto:" (the scheme in any case), then local@domain, both non-empty, the
// whole an IRI.
bool IsMailtoIri(std::string_view text);

// An RFC 5646 language tag (the sequence and lengths of its subtags: language, extlang, script,
// region, variants, extensions, private use; and the irregular grandfathered tags). Any case.
bool IsLanguageTag(std::string_view text);

// 40 hex digits (any case): a SHA-1 hash.
bool IsSha1Hex(std::string_view text);
// 56, 64, 96 or 128 hex digits (any case): a SHA-224, -256, -384 or -512 hash.
bool IsSha2Hex(std::string_view text);
// An Internet media type (RFC 2046): type "/" subtype, both RFC 2045 tokens, then optional
// ";"-separated parameters.
bool IsMediaType(std::string_view text);

// The xAPI 1.0.3 §4.5 timestamp: RFC 3339 date-time, also with the ISO 8601 offsets "+hhmm"
// and "+hh". A time zone (Z or an offset) is required. Fractions beyond milliseconds are
// truncated.
std::optional<Instant> ParseTimestamp(std::string_view text);
// Whether `text` would be a timestamp if it had a time zone: for a precise message.
bool IsTimestampWithoutZone(std::string_view text);
// "2026-01-02T03:04:05.678Z": UTC, always with milliseconds.
std::string FormatTimestamp(Instant t);

// An ISO 8601:2004 §4.4.3.2 duration (xAPI 1.0.3 §4.6): "PnYnMnDTnHnMnS" with at least one
// component, components in that order, "T" only before a time component, a decimal fraction
// (',' or '.') only on the last component; or "PnW" alone.
struct Duration {
  // The length rounded down to the millisecond, with a day of 24 hours and a week of 7 days;
  // nullopt when the duration has years or months (which have no fixed length) or does not fit
  // in 64 bits of milliseconds.
  std::optional<std::int64_t> ms;
};
std::optional<Duration> ParseDuration(std::string_view text);

// ASCII lower-casing (UUIDs, hex, language tags, the mailto scheme).
std::string AsciiLower(std::string_view text);

}  // namespace cohort::xapi::internal
