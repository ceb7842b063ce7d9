// SPDX-License-Identifier: MIT
#include <cluster_client/group_id.hpp>

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

using cluster_client::group_id_error;
using cluster_client::InvalidGroupId;
using cluster_client::validate_group_id;

namespace {

std::string error_of(std::string_view id) {
    return group_id_error(id).value_or("valid");
}

}  // namespace

TEST(GroupId, AcceptsPunctuationSpacesAndNonAscii) {
    for (const std::string_view id :
         {"g", "a/b", "a?b", "a#b", "100%", "a b", " ", "gr\xC3\xBCppe", "\xF0\x9F\x98\x80", "\xE2\x82\xAC",
          "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xC2\x80", "~"}) {
        EXPECT_EQ(group_id_error(id), std::nullopt) << id;
        EXPECT_NO_THROW(validate_group_id(id));
    }
}

TEST(GroupId, LengthIsCountedInBytes) {
    EXPECT_EQ(error_of(std::string(255, 'a')), "valid");
    EXPECT_EQ(error_of(std::string(256, 'a')), "group id must be 1 to 255 bytes (got 256)");
    EXPECT_EQ(error_of(""), "group id must be 1 to 255 bytes (got 0)");

    std::string wide;  // 85 three-byte characters: 255 bytes
    for (int i = 0; i < 85; ++i) wide += "\xE2\x82\xAC";
    EXPECT_EQ(error_of(wide), "valid");
    EXPECT_EQ(error_of(wide + "a"), "group id must be 1 to 255 bytes (got 256)");
}

TEST(GroupId, RejectsStrayBytes) {
    EXPECT_EQ(error_of("abc\xFF"), "group id must be valid UTF-8 (bad byte 0xFF at offset 3)");
    EXPECT_EQ(error_of("\x80"), "group id must be valid UTF-8 (bad byte 0x80 at offset 0)");
    EXPECT_EQ(error_of("a\xC3(b"), "group id must be valid UTF-8 (bad byte 0x28 at offset 2)");
    EXPECT_EQ(error_of("\xF5\x80\x80\x80"), "group id must be valid UTF-8 (bad byte 0xF5 at offset 0)");
}

TEST(GroupId, RejectsOverlongForms) {
    EXPECT_EQ(error_of("\xC0\xAF"), "group id must be valid UTF-8 (bad byte 0xC0 at offset 0)");
    EXPECT_EQ(error_of("\xC1\xBF"), "group id must be valid UTF-8 (bad byte 0xC1 at offset 0)");
    EXPECT_EQ(error_of("\xE0\x80\xAF"), "group id must be valid UTF-8 (bad byte 0x80 at offset 1)");
    EXPECT_EQ(error_of("\xF0\x80\x80\xAF"), "group id must be valid UTF-8 (bad byte 0x80 at offset 1)");
}

TEST(GroupId, RejectsSurrogates) {
    EXPECT_EQ(error_of("x\xED\xA0\x80"), "group id must be valid UTF-8 (bad byte 0xA0 at offset 2)");
    EXPECT_EQ(error_of("\xED\xBF\xBF"), "group id must be valid UTF-8 (bad byte 0xBF at offset 1)");
}

TEST(GroupId, RejectsCodePointsAboveMax) {
    EXPECT_EQ(error_of("\xF4\x90\x80\x80"), "group id must be valid UTF-8 (bad byte 0x90 at offset 1)");
}

TEST(GroupId, RejectsTruncatedSequences) {
    EXPECT_EQ(error_of("ab\xC3"), "group id must be valid UTF-8 (sequence at offset 2 is truncated)");
    EXPECT_EQ(error_of("\xE2\x82"), "group id must be valid UTF-8 (sequence at offset 0 is truncated)");
    EXPECT_EQ(error_of("\xF0\x9F\x98"), "group id must be valid UTF-8 (sequence at offset 0 is truncated)");
    EXPECT_EQ(error_of("\xF0\x9F\x98x"), "group id must be valid UTF-8 (bad byte 0x78 at offset 3)");
}

TEST(GroupId, RejectsControlCharacters) {
    EXPECT_EQ(error_of("ab\ncd"), "group id must not contain control characters (U+000A at offset 2)");
    EXPECT_EQ(error_of(std::string_view("a\0b", 3)),
              "group id must not contain control characters (U+0000 at offset 1)");
    EXPECT_EQ(error_of("\t"), "group id must not contain control characters (U+0009 at offset 0)");
    EXPECT_EQ(error_of("x\x1F"), "group id must not contain control characters (U+001F at offset 1)");
    EXPECT_EQ(error_of("del\x7F"), "group id must not contain control characters (U+007F at offset 3)");
}

TEST(GroupId, RejectsDotSegments) {
    // As the GET's path segment, `.` and `..` would be resolved away by a normalising server
    // or proxy: /v1/group/../ is /v1/.
    EXPECT_EQ(error_of("."), "group id must not be '.' or '..' (dot-segments in a URL path)");
    EXPECT_EQ(error_of(".."), "group id must not be '.' or '..' (dot-segments in a URL path)");
    EXPECT_THROW(validate_group_id(".."), InvalidGroupId);
}

TEST(GroupId, AcceptsOtherIdsWithDots) {
    // Only the two dot-segments are special: longer runs of dots and dots among other
    // characters are plain segment text.
    for (const std::string_view id : {"...", "....", ".a", "a.", "..a", "a..", "a.b", "./", "/..", ". ", " ."}) {
        EXPECT_EQ(group_id_error(id), std::nullopt) << id;
    }
}

TEST(GroupId, ValidateThrowsWithTheSameMessage) {
    try {
        validate_group_id("a\x7F");
        FAIL() << "no exception";
    } catch (const InvalidGroupId& e) {
        EXPECT_STREQ(e.what(), "group id must not contain control characters (U+007F at offset 1)");
    }
    EXPECT_THROW(validate_group_id(""), cluster_client::ConfigError);
}
