// The lexical formats of xAPI 1.0.3 values: IRIs (§2.2, §4.3), language tags (§4.2, RFC 5646),
// timestamps (§4.5), durations (§4.6), hashes and media types (§2.4.2.3, §2.4.11).
#include "xapi/formats.h"

#include <gtest/gtest.h>

namespace cohort::xapi::internal {
namespace {

// §2.2: the LRS MUST reject IRL or IRI values without a scheme (best-effort validation).
TEST(FormatsTest, IrisNeedASchemeAndNoForbiddenCharacters) {
  for (const char* good : {"http://example.com", "https://example.com/a?b=c#d", "urn:isbn:123",
                           "tag:example.com,2026:x", "mailto:a@b.c", "http://example.com/%20",
                           "http://example.com/فعل", "x-custom+v1.2:thing"}) {
    EXPECT_TRUE(IsIri(good)) << good;
  }
  for (const char* bad : {"", "example.com", "/relative/path", "#anchor", ":nothing", "http:",
                          "1http://x", "ht tp://x", "http://x y", "http://x\ty", "http://x<y>",
                          "http://x/%2", "http://x/%zz", "http://x/\"q\"", "http://x/{y}"}) {
    EXPECT_FALSE(IsIri(bad)) << bad;
  }
}

// §2.4.2.3: mbox is "mailto:email address".
TEST(FormatsTest, MailtoIris) {
  EXPECT_TRUE(IsMailtoIri("mailto:a@example.com"));
  EXPECT_TRUE(IsMailtoIri("MailTo:first.last+tag@sub.example.com"));
  EXPECT_FALSE(IsMailtoIri("mailto:"));
  EXPECT_FALSE(IsMailtoIri("mailto:a"));
  EXPECT_FALSE(IsMailtoIri("mailto:@example.com"));
  EXPECT_FALSE(IsMailtoIri("mailto:a@"));
  EXPECT_FALSE(IsMailtoIri("a@example.com"));
  EXPECT_FALSE(IsMailtoIri("mailto:a b@example.com"));
  EXPECT_FALSE(IsMailtoIri("mailtoa@example.com"));
}

// §2.2: the LRS MUST at least validate the sequence of token lengths of language map keys
// (RFC 5646).
TEST(FormatsTest, LanguageTagsFollowRfc5646) {
  for (const char* good :
       {"en", "en-US", "es-MX", "tlh", "zh-Hant-TW", "de-DE-1996", "sl-rozaj-biske", "x-whatever",
        "en-GB-oed", "i-klingon", "zh-min-nan", "en-a-bbb-x-a-ccc", "sr-Latn-RS", "es-419",
        "EN-us", "und", "qaa-Qaaa-QM-x-southern", "de-CH-x-phonebk", "az-Arab-x-AZE-derbend"}) {
    EXPECT_TRUE(IsLanguageTag(good)) << good;
  }
  for (const char* bad : {"", "e", "en_US", "en-", "-en", "en--US", "en-US-", "123",
                          "en-a", "x", "en-x", "abcdefghi", "en-US-abc", "en-toolongsubtag",
                          "de-419-DE", "a-DE", "en US"}) {
    EXPECT_FALSE(IsLanguageTag(bad)) << bad;
  }
}

// §2.4.2.3 and §2.4.11: SHA-1 and SHA-2 hex digests; media types.
TEST(FormatsTest, HashesAndMediaTypes) {
  EXPECT_TRUE(IsSha1Hex("ebd31e95054c018b10727ccffd2ef2ec3a016ee9"));
  EXPECT_TRUE(IsSha1Hex("EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"));
  EXPECT_FALSE(IsSha1Hex("ebd31e95054c018b10727ccffd2ef2ec3a016ee"));
  EXPECT_FALSE(IsSha1Hex("zbd31e95054c018b10727ccffd2ef2ec3a016ee9"));
  EXPECT_TRUE(IsSha2Hex(std::string(64, 'a')));
  EXPECT_TRUE(IsSha2Hex(std::string(56, 'F')));
  EXPECT_TRUE(IsSha2Hex(std::string(96, '0')));
  EXPECT_TRUE(IsSha2Hex(std::string(128, '9')));
  EXPECT_FALSE(IsSha2Hex(std::string(40, 'a')));
  std::string not_hex(64, 'a');
  not_hex[10] = 'g';
  EXPECT_FALSE(IsSha2Hex(not_hex));
  EXPECT_TRUE(IsMediaType("application/pdf"));
  EXPECT_TRUE(IsMediaType("text/plain; charset=utf-8"));
  EXPECT_TRUE(IsMediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  EXPECT_FALSE(IsMediaType("pdf"));
  EXPECT_FALSE(IsMediaType("/pdf"));
  EXPECT_FALSE(IsMediaType("application/"));
  EXPECT_FALSE(IsMediaType("appli cation/pdf"));
}

// §4.5: timestamps are ISO 8601 with a zone here; formatted back as UTC with milliseconds.
TEST(FormatsTest, TimestampsParseWithAZoneAndFormatWithMilliseconds) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z")->ms, 0);
  EXPECT_EQ(ParseTimestamp("1970-01-01T01:00:00+01:00")->ms, 0);
  EXPECT_EQ(ParseTimestamp("1970-01-01T01:30:00+0130")->ms, 0);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:00:00-01")->ms, 0);
  EXPECT_EQ(ParseTimestamp("2026-01-02T03:04:05.6789Z")->ms, 1767323045678);
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05+1").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-01-02T03:04:05+01:0").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-01-02").has_value());
  EXPECT_TRUE(IsTimestampWithoutZone("2026-01-02T03:04:05"));
  EXPECT_TRUE(IsTimestampWithoutZone("2026-01-02T03:04:05.123"));
  EXPECT_FALSE(IsTimestampWithoutZone("2026-01-02T03:04:05Z"));
  EXPECT_FALSE(IsTimestampWithoutZone("noon"));
  EXPECT_EQ(FormatTimestamp(Instant{1767323045678}), "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(FormatTimestamp(Instant{1767323045000}), "2026-01-02T03:04:05.000Z");
  EXPECT_EQ(FormatTimestamp(Instant{0}), "1970-01-01T00:00:00.000Z");
}

// §4.6: ISO 8601:2004 §4.4.3.2 durations; milliseconds only for fixed-length units.
TEST(FormatsTest, DurationsFollowIso8601) {
  EXPECT_EQ(ParseDuration("PT0S")->ms, 0);
  EXPECT_EQ(ParseDuration("PT1M")->ms, 60'000);
  EXPECT_EQ(ParseDuration("P1D")->ms, 86'400'000);
  EXPECT_EQ(ParseDuration("P1W")->ms, 604'800'000);
  EXPECT_EQ(ParseDuration("P0.5W")->ms, 302'400'000);
  EXPECT_EQ(ParseDuration("PT0.5H")->ms, 1'800'000);
  EXPECT_EQ(ParseDuration("PT1H0M0S")->ms, 3'600'000);
  EXPECT_EQ(ParseDuration("PT59.999999S")->ms, 59'999);
  EXPECT_FALSE(ParseDuration("P1M")->ms.has_value());  // a month, not a minute
  EXPECT_FALSE(ParseDuration("P1Y2D")->ms.has_value());
  // Valid, but too long for 64 bits of milliseconds.
  ASSERT_TRUE(ParseDuration("PT99999999999999999999S").has_value());
  EXPECT_FALSE(ParseDuration("PT99999999999999999999S")->ms.has_value());
  for (const char* bad : {"", "P", "PT", "T1H", "P1H", "P1S", "PT1D", "P1DT", "P1W2D", "P1D1W",
                          "P1.5DT1H", "P1..5D", "P.5D", "P1DD", "PT1H1H", "P-1D", "P1", "+P1D",
                          "P16559.14S"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace cohort::xapi::internal
