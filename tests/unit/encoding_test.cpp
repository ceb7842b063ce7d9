// SPDX-License-Identifier: MIT
#include "node_api/encoding.hpp"

#include <gtest/gtest.h>

using namespace cluster_client::node_api;

TEST(PathSegment, KeepsUnreservedCharacters) {
    EXPECT_EQ(encode_path_segment("Group-1.a_b~Z9"), "Group-1.a_b~Z9");
}

TEST(PathSegment, EncodesStructuralCharacters) {
    EXPECT_EQ(encode_path_segment("a/b"), "a%2Fb");
    EXPECT_EQ(encode_path_segment("a?b#c"), "a%3Fb%23c");
    EXPECT_EQ(encode_path_segment("100%"), "100%25");
    EXPECT_EQ(encode_path_segment("a b"), "a%20b");
    EXPECT_EQ(encode_path_segment(".."), "..");
    EXPECT_EQ(encode_path_segment("+&=:@"), "%2B%26%3D%3A%40");
}

TEST(PathSegment, EncodesNonAsciiBytesInUpperCaseHex) {
    EXPECT_EQ(encode_path_segment("gr\xC3\xBCppe"), "gr%C3%BCppe");
    EXPECT_EQ(encode_path_segment("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
}

TEST(PathSegment, DecodesBothHexCases) {
    EXPECT_EQ(decode_path_segment("a%2fb%2Fc"), "a/b/c");
    EXPECT_EQ(decode_path_segment("plain"), "plain");
    EXPECT_EQ(decode_path_segment(""), "");
    EXPECT_EQ(decode_path_segment("a+b"), "a+b");  // '+' is not a space in a path
}

TEST(PathSegment, DecodeRejectsBrokenEscapes) {
    EXPECT_EQ(decode_path_segment("%"), std::nullopt);
    EXPECT_EQ(decode_path_segment("a%2"), std::nullopt);
    EXPECT_EQ(decode_path_segment("%G0"), std::nullopt);
    EXPECT_EQ(decode_path_segment("%0g"), std::nullopt);
}

TEST(PathSegment, RoundTripsEveryByte) {
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    const std::string encoded = encode_path_segment(all);
    EXPECT_EQ(encoded.find('/'), std::string::npos);
    EXPECT_EQ(decode_path_segment(encoded), all);
    for (const std::string id : {"a/b?c#d%e f", "gr\xC3\xBCppe", "%2F", "\xF0\x9F\x98\x80 x"}) {
        EXPECT_EQ(decode_path_segment(encode_path_segment(id)), id);
    }
}

TEST(GroupBody, IsACompactJsonObject) {
    EXPECT_EQ(group_body("g1"), R"({"groupId":"g1"})");
}

TEST(GroupBody, EscapesQuotesAndBackslashes) {
    EXPECT_EQ(group_body(R"(a"b\c)"), R"({"groupId":"a\"b\\c"})");
}

TEST(GroupBody, KeepsUnicodeAndSlashes) {
    EXPECT_EQ(group_body("gr\xC3\xBCppe/\xF0\x9F\x98\x80"), "{\"groupId\":\"gr\xC3\xBCppe/\xF0\x9F\x98\x80\"}");
}

TEST(GroupBody, RoundTripsThroughParse) {
    for (const std::string id : {"g", R"(a"b\c)", "a/b?c#d%e f", "gr\xC3\xBCppe", "\xF0\x9F\x98\x80", "{}[],:"}) {
        EXPECT_EQ(parse_group_body(group_body(id)), id);
    }
}

TEST(GroupBody, ParsesEscapesAndExtraFields) {
    EXPECT_EQ(parse_group_body(R"( { "other": 1, "groupId" : "a\u00fc\"" } )"), "a\xC3\xBC\"");
}

TEST(GroupBody, ParseRejectsNonObjects) {
    EXPECT_EQ(parse_group_body(R"(["groupId"])"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"("groupId")"), std::nullopt);
    EXPECT_EQ(parse_group_body("null"), std::nullopt);
    EXPECT_EQ(parse_group_body("42"), std::nullopt);
}

TEST(GroupBody, ParseRejectsMissingOrNonStringField) {
    EXPECT_EQ(parse_group_body("{}"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupid":"x"})"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupId":1})"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupId":null})"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupId":["x"]})"), std::nullopt);
}

TEST(GroupBody, ParseRejectsMalformedJsonWithoutThrowing) {
    EXPECT_EQ(parse_group_body(""), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupId":"x")"), std::nullopt);
    EXPECT_EQ(parse_group_body(R"({"groupId":"x"} trailing)"), std::nullopt);
    EXPECT_EQ(parse_group_body("{\"groupId\":\"\xFF\"}"), std::nullopt);
}
