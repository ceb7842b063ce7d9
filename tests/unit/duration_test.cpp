// SPDX-License-Identifier: MIT
#include <cluster_client/duration.hpp>

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

using cluster_client::ConfigError;
using cluster_client::format_duration;
using cluster_client::parse_duration;
using namespace std::chrono_literals;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_duration(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Duration, ParsesEachUnit) {
    EXPECT_EQ(parse_duration("300ms"), 300ms);
    EXPECT_EQ(parse_duration("2s"), 2000ms);
    EXPECT_EQ(parse_duration("1m"), 60000ms);
    EXPECT_EQ(parse_duration("1h"), 3600000ms);
    EXPECT_EQ(parse_duration("7d"), std::chrono::hours(24 * 7));
    EXPECT_EQ(parse_duration("2000us"), 2ms);
}

TEST(Duration, ParsesFractions) {
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("0.25m"), 15000ms);
    EXPECT_EQ(parse_duration("0.001s"), 1ms);
}

TEST(Duration, ZeroAloneNeedsNoUnit) {
    EXPECT_EQ(parse_duration("0"), 0ms);
    EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(Duration, SubMillisecondRoundsUpNotToZero) {
    EXPECT_EQ(parse_duration("250us"), 1ms);
    EXPECT_EQ(parse_duration("1001us"), 2ms);
}

TEST(Duration, SumsComponents) {
    EXPECT_EQ(parse_duration("1m30s"), 90000ms);
    EXPECT_EQ(parse_duration("1h1m1s1ms"), 3661001ms);
}

TEST(Duration, TrimsSurroundingSpaces) {
    EXPECT_EQ(parse_duration(" 2s "), 2000ms);
}

TEST(Duration, RejectsMissingUnit) {
    EXPECT_THROW(parse_duration("5"), ConfigError);
    EXPECT_NE(error_of("5").find("a unit is required"), std::string::npos);
    EXPECT_NE(error_of("5").find("\"5\""), std::string::npos);
    EXPECT_NE(error_of("1m30").find("a unit is required"), std::string::npos);
}

TEST(Duration, RejectsNegative) {
    EXPECT_NE(error_of("-1s").find("must not be negative"), std::string::npos);
}

TEST(Duration, RejectsUnknownUnit) {
    EXPECT_NE(error_of("1x").find("unknown unit \"x\""), std::string::npos);
    EXPECT_NE(error_of("1sec").find("unknown unit \"sec\""), std::string::npos);
    EXPECT_NE(error_of("1S").find("unknown unit"), std::string::npos);
}

TEST(Duration, RejectsEmpty) {
    EXPECT_NE(error_of("").find("empty"), std::string::npos);
    EXPECT_NE(error_of("   ").find("empty"), std::string::npos);
}

TEST(Duration, RejectsUnitWithoutNumber) {
    EXPECT_NE(error_of("ms").find("expected a number"), std::string::npos);
    EXPECT_NE(error_of("+1s").find("expected a number"), std::string::npos);
    EXPECT_NE(error_of(".5s").find("expected a number"), std::string::npos);
}

TEST(Duration, RejectsMalformedFraction) {
    EXPECT_NE(error_of("1.s").find("digits after '.'"), std::string::npos);
    EXPECT_THROW(parse_duration("1.5.5s"), ConfigError);
}

TEST(Duration, RejectsTooLarge) {
    EXPECT_NE(error_of("99999999999999999999h").find("too large"), std::string::npos);
    EXPECT_NE(error_of("3000000h").find("too large"), std::string::npos);
    EXPECT_NE(error_of("2000000h2000000h").find("too large"), std::string::npos);
}

TEST(Duration, FormatsMillisecondsBelowOneSecond) {
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(1ms), "1ms");
    EXPECT_EQ(format_duration(0ms), "0s");
}

TEST(Duration, FormatsLargerValuesInParts) {
    EXPECT_EQ(format_duration(2000ms), "2s");
    EXPECT_EQ(format_duration(1500ms), "1.5s");
    EXPECT_EQ(format_duration(1001ms), "1.001s");
    EXPECT_EQ(format_duration(90000ms), "1m30s");
    EXPECT_EQ(format_duration(60000ms), "1m");
    EXPECT_EQ(format_duration(3600000ms), "1h");
    EXPECT_EQ(format_duration(std::chrono::hours(24 * 30)), "30d");
    EXPECT_EQ(format_duration(std::chrono::hours(24 * 7 + 12)), "7d12h");
    EXPECT_EQ(format_duration(3661500ms), "1h1m1.5s");
    EXPECT_EQ(format_duration(-1500ms), "-1.5s");
}

TEST(Duration, FormatParsesBack) {
    for (const auto d : {1ms, 999ms, 1000ms, 1500ms, 61001ms, 3600000ms, 7322010ms}) {
        EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
    }
}
