// SPDX-License-Identifier: MIT
// What goes over the wire, without sockets: the request's exact bytes, the bearer token's
// rule, and the answer parser fed whole, in pieces, chunked, oversized or broken.
#include "http/wire.hpp"

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>
#include <cluster_client/version.hpp>

namespace cluster_client::http {
namespace {

using namespace std::chrono_literals;

// Feeds `text` in pieces of `piece` bytes, as reads would deliver it; returns the first
// error other than need_more.
boost::system::error_code feed_all(ResponseParser& parser, std::string_view text, std::size_t piece) {
    std::string pending;
    for (std::size_t at = 0; at < text.size() && !parser.done(); at += piece) {
        pending.append(text.substr(at, piece));
        boost::system::error_code ec;
        pending.erase(0, parser.feed(pending, ec));
        if (ec && ec != boost::beast::http::error::need_more) return ec;
    }
    return {};
}

TEST(FormatRequest, GetIsOneBufferWithHostAndAgentOnly) {
    EXPECT_EQ(format_request(Method::get, "/v1/group/g%201/", "127.0.0.1:8080", {}),
              "GET /v1/group/g%201/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: cluster-client/" +
                  std::string(cluster_client::version) + "\r\n\r\n");
}

TEST(FormatRequest, PostCarriesItsJsonBodyAndLength) {
    EXPECT_EQ(format_request(Method::post, "/v1/group/", "node", R"({"groupId":"g"})"),
              "POST /v1/group/ HTTP/1.1\r\nHost: node\r\nUser-Agent: cluster-client/" +
                  std::string(cluster_client::version) +
                  "\r\n"
                  "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"groupId\":\"g\"}");
}

TEST(FormatRequest, ABearerTokenIsSentAsAuthorization) {
    const auto text = format_request(Method::delete_, "/v1/group/", "node", "{}", "abc.DEF-123_~+/==");
    EXPECT_NE(text.find("\r\nAuthorization: Bearer abc.DEF-123_~+/==\r\n"), std::string::npos) << text;
    EXPECT_EQ(format_request(Method::get, "/", "node", {}, {}).find("Authorization"), std::string::npos);
}

TEST(BearerToken, FollowsRfc6750) {
    EXPECT_NO_THROW(check_bearer_token(""));
    EXPECT_NO_THROW(check_bearer_token("mF_9.B5f-4.1JqM"));
    EXPECT_NO_THROW(check_bearer_token("dGVzdA=="));
    for (const char* bad : {"two words", "line\r\nX-Injected: 1", "=", "==abc", "ab=c", "tab\t", "\xC3\xA9"}) {
        EXPECT_THROW(check_bearer_token(bad), ConfigError) << bad;
    }
}

TEST(ResponseParser, ReadsStatusBodyAndKeepAlive) {
    ResponseParser parser(8192, 65536);
    const std::string answer =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
        "{\"groupId\":\"g\"}";
    EXPECT_FALSE(feed_all(parser, answer, answer.size()));
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.status(), 201u);
    EXPECT_EQ(parser.body(), "{\"groupId\":\"g\"}");
    EXPECT_TRUE(parser.keep_alive());
    EXPECT_FALSE(parser.retry_after());
}

TEST(ResponseParser, AnswerInOneBytePiecesParsesTheSame) {
    ResponseParser parser(8192, 65536);
    EXPECT_FALSE(feed_all(parser, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop", 1));
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.status(), 404u);
    EXPECT_EQ(parser.body(), "nop");
}

TEST(ResponseParser, DecodesChunkedBodies) {
    ResponseParser parser(8192, 65536);
    EXPECT_FALSE(feed_all(
        parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"gr\r\n3\r\noup\r\n0\r\n\r\n", 7));
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.body(), "{\"group");
}

// A trailer's fields count as the header's: a node's Connection: close there still closes.
TEST(ResponseParser, ReadsTheTrailersFields) {
    ResponseParser parser(8192, 65536);
    EXPECT_FALSE(feed_all(parser,
                          "HTTP/1.1 503 Busy\r\nRetry-After: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n0\r\nRetry-After: 7\r\nConnection: close\r\n\r\n",
                          5));
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.body(), "abc");
    EXPECT_EQ(parser.retry_after(), 7000ms);
    EXPECT_FALSE(parser.keep_alive());
}

// Only a list of plain tokens frames a body: anything else would be framed on a guess.
TEST(ResponseParser, ATransferEncodingThatIsNotATokenListIsRefused) {
    for (const std::string_view value : {"chunked\xff", "gzip;q=1, chunked", "chunked,", ", chunked", "chun ked"}) {
        ResponseParser parser(8192, 65536);
        const std::string answer =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + std::string(value) + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        EXPECT_EQ(feed_all(parser, answer, 64), boost::beast::http::error::bad_transfer_encoding) << value;
    }
    ResponseParser listed(8192, 65536);
    EXPECT_FALSE(feed_all(listed, "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity ,\tchunked\r\n\r\n0\r\n\r\n", 64));
    EXPECT_TRUE(listed.done());
}

TEST(ResponseParser, ReadsRetryAfterSecondsOnly) {
    ResponseParser seconds(8192, 65536);
    feed_all(seconds, "HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", 64);
    EXPECT_EQ(seconds.retry_after(), 7000ms);
    ResponseParser date(8192, 65536);
    feed_all(date, "HTTP/1.1 503 Busy\r\nRetry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n", 64);
    EXPECT_FALSE(date.retry_after());
    EXPECT_FALSE(parse_retry_after("86401"));
    EXPECT_EQ(parse_retry_after("0"), 0ms);
}

TEST(ResponseParser, ConnectionCloseAndHttp10EndKeepAlive) {
    ResponseParser close(8192, 65536);
    feed_all(close, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 64);
    EXPECT_FALSE(close.keep_alive());
    ResponseParser old(8192, 65536);
    feed_all(old, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 64);
    EXPECT_FALSE(old.keep_alive());
}

TEST(ResponseParser, ABodyThatRunsToTheEndOfTheStreamEndsAtEof) {
    ResponseParser parser(8192, 65536);
    EXPECT_FALSE(feed_all(parser, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", 64));
    EXPECT_FALSE(parser.done());
    boost::system::error_code ec;
    parser.feed_eof(ec);
    EXPECT_FALSE(ec);
    EXPECT_TRUE(parser.done());
    EXPECT_EQ(parser.body(), "all of it");
}

TEST(ResponseParser, AConnectionClosedBeforeAnyByteIsNoAnswer) {
    ResponseParser parser(8192, 65536);
    boost::system::error_code ec;
    parser.feed_eof(ec);
    EXPECT_EQ(ec, boost::beast::http::error::end_of_stream);
    EXPECT_FALSE(parser.done());
    EXPECT_EQ(parser.status(), 0u);
}

TEST(ResponseParser, LimitsAndGarbageAreErrors) {
    ResponseParser big_body(8192, 10);
    EXPECT_EQ(feed_all(big_body, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 64),
              boost::beast::http::error::body_limit);
    ResponseParser big_header(64, 65536);
    EXPECT_EQ(feed_all(big_header, "HTTP/1.1 200 OK\r\nX-Junk: " + std::string(100, 'j') + "\r\n\r\n", 16),
              boost::beast::http::error::header_limit);
    ResponseParser garbage(8192, 65536);
    EXPECT_TRUE(feed_all(garbage, "SSH-2.0-OpenSSH\r\n\r\n", 64));
}

}  // namespace
}  // namespace cluster_client::http
