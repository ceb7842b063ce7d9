// SPDX-License-Identifier: MIT
#include "http/endpoint.hpp"

#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

using cluster_client::ConfigError;
using cluster_client::http::Endpoint;
using cluster_client::http::parse_endpoint;
using cluster_client::http::parse_host_list;
using cluster_client::http::parse_hosts;

namespace {

template <typename F>
std::string error_of(F&& parse) {
    try {
        parse();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

std::string endpoint_error(std::string_view text) {
    return error_of([&] { parse_endpoint(text); });
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Endpoint, BareHostMeansHttpOnPort80) {
    const Endpoint e = parse_endpoint("example.org");
    EXPECT_FALSE(e.tls);
    EXPECT_EQ(e.host, "example.org");
    EXPECT_EQ(e.port, 80);
    EXPECT_EQ(e.path_prefix, "");
    EXPECT_EQ(e.url(), "http://example.org");
    EXPECT_EQ(e.host_header(), "example.org");
}

TEST(Endpoint, BareHostWithPort) {
    const Endpoint e = parse_endpoint("127.0.0.1:8080");
    EXPECT_FALSE(e.tls);
    EXPECT_EQ(e.host, "127.0.0.1");
    EXPECT_EQ(e.port, 8080);
    EXPECT_EQ(e.url(), "http://127.0.0.1:8080");
    EXPECT_EQ(e.host_header(), "127.0.0.1:8080");
}

TEST(Endpoint, HttpsDefaultsToPort443) {
    const Endpoint e = parse_endpoint("https://node.example");
    EXPECT_TRUE(e.tls);
    EXPECT_EQ(e.port, 443);
    EXPECT_EQ(e.url(), "https://node.example");
    EXPECT_EQ(e.host_header(), "node.example");
}

TEST(Endpoint, NonDefaultPortIsShown) {
    EXPECT_EQ(parse_endpoint("https://node:80").url(), "https://node:80");
    EXPECT_EQ(parse_endpoint("http://node:443").host_header(), "node:443");
    EXPECT_EQ(parse_endpoint("https://node:443").url(), "https://node");
}

TEST(Endpoint, SchemeAndHostAreLowerCased) {
    const Endpoint e = parse_endpoint("HTTPS://Node.EXAMPLE:8443/Prefix");
    EXPECT_TRUE(e.tls);
    EXPECT_EQ(e.host, "node.example");
    EXPECT_EQ(e.port, 8443);
    EXPECT_EQ(e.path_prefix, "/Prefix");  // paths are case-sensitive
}

TEST(Endpoint, PathPrefixIsNormalised) {
    EXPECT_EQ(parse_endpoint("http://lb.example/node3").path_prefix, "/node3");
    EXPECT_EQ(parse_endpoint("http://lb.example/node3/").path_prefix, "/node3");
    EXPECT_EQ(parse_endpoint("http://lb.example//a//b//").path_prefix, "/a/b");
    EXPECT_EQ(parse_endpoint("http://lb.example/").path_prefix, "");
    EXPECT_EQ(parse_endpoint("lb.example:81/x/y").url(), "http://lb.example:81/x/y");
}

TEST(Endpoint, PrefixKeepsValidPercentEncodingAndRefusesBrokenEscapes) {
    EXPECT_EQ(parse_endpoint("http://lb.example/a%2Fb").path_prefix, "/a%2Fb");
    EXPECT_TRUE(contains(endpoint_error("http://lb.example/a%zz"), "not allowed ('%')"));
    EXPECT_TRUE(contains(endpoint_error("http://lb.example/a%2"), "not allowed ('%')"));
}

TEST(Endpoint, NameThatStartsLikeAnIpv4AddressIsOneName) {
    const Endpoint e = parse_endpoint("http://10.0.0.1.nip.io:8080/x");
    EXPECT_EQ(e.host, "10.0.0.1.nip.io");
    EXPECT_EQ(e.port, 8080);
    EXPECT_EQ(e.path_prefix, "/x");
}

TEST(Endpoint, Ipv6LiteralInBrackets) {
    const Endpoint e = parse_endpoint("[::1]:8080");
    EXPECT_FALSE(e.tls);
    EXPECT_EQ(e.host, "::1");
    EXPECT_EQ(e.port, 8080);
    EXPECT_EQ(e.url(), "http://[::1]:8080");
    EXPECT_EQ(e.host_header(), "[::1]:8080");

    const Endpoint plain = parse_endpoint("https://[2001:DB8::1]/p");
    EXPECT_EQ(plain.host, "2001:db8::1");
    EXPECT_EQ(plain.port, 443);
    EXPECT_EQ(plain.url(), "https://[2001:db8::1]/p");
}

TEST(Endpoint, Ipv6WrittenTwoWaysIsOneNode) {
    EXPECT_EQ(parse_endpoint("[0:0:0:0:0:0:0:1]"), parse_endpoint("http://[::1]:80"));
}

TEST(Endpoint, RejectsBadIpv6) {
    EXPECT_TRUE(contains(endpoint_error("[::1"), "closing ']'"));
    EXPECT_TRUE(contains(endpoint_error("[not-v6]:80"), "not an IPv6 address"));
    EXPECT_TRUE(contains(endpoint_error("[]"), "not an IPv6 address"));
    EXPECT_TRUE(contains(endpoint_error("[::1]x"), "only ':port'"));
    EXPECT_TRUE(contains(endpoint_error("::1"), "in brackets"));
}

TEST(Endpoint, RejectsOtherSchemes) {
    const std::string message = endpoint_error("ftp://host");
    EXPECT_TRUE(contains(message, "scheme must be http or https"));
    EXPECT_TRUE(contains(message, "\"ftp://host\""));
    EXPECT_TRUE(contains(endpoint_error("://host"), "scheme must be"));
}

TEST(Endpoint, RejectsMissingHost) {
    EXPECT_TRUE(contains(endpoint_error("http://"), "host name is empty"));
    EXPECT_TRUE(contains(endpoint_error("http://:8080"), "host name is empty"));
    EXPECT_TRUE(contains(endpoint_error("http:///prefix"), "host name is empty"));
    EXPECT_TRUE(contains(endpoint_error(""), "empty"));
}

TEST(Endpoint, RejectsBadPorts) {
    EXPECT_TRUE(contains(endpoint_error("host:0"), "port must be 1 to 65535 (got 0)"));
    EXPECT_TRUE(contains(endpoint_error("host:65536"), "port must be 1 to 65535 (got 65536)"));
    EXPECT_TRUE(contains(endpoint_error("host:99999999999"), "port must be 1 to 65535"));
    EXPECT_TRUE(contains(endpoint_error("host:http"), "port must be a number"));
    EXPECT_TRUE(contains(endpoint_error("host:80a"), "port must be a number"));
    EXPECT_TRUE(contains(endpoint_error("host:-1"), "port must be a number"));
    EXPECT_TRUE(contains(endpoint_error("host:"), "port after ':' is empty"));
    EXPECT_EQ(parse_endpoint("host:65535").port, 65535);
    EXPECT_EQ(parse_endpoint("host:1").port, 1);
}

TEST(Endpoint, RejectsQueryFragmentAndUserInfo) {
    EXPECT_TRUE(contains(endpoint_error("http://host/?a=1"), "query"));
    EXPECT_TRUE(contains(endpoint_error("http://host#frag"), "fragment"));
    EXPECT_TRUE(contains(endpoint_error("http://user:pw@host"), "user info"));
}

TEST(Endpoint, RejectsSpacesAndStrayCharacters) {
    EXPECT_TRUE(contains(endpoint_error("http://ho st"), "spaces"));
    EXPECT_TRUE(contains(endpoint_error("http://ho!st"), "host name may only contain"));
    EXPECT_TRUE(contains(endpoint_error("http://host/a\"b"), "not allowed"));
}

TEST(HostList, SplitsTrimsAndSkipsEmptyItems) {
    const auto hosts = parse_host_list(" a:1 ,, https://b ,[::1]:3,");
    ASSERT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts[0].url(), "http://a:1");
    EXPECT_EQ(hosts[1].url(), "https://b");
    EXPECT_EQ(hosts[2].url(), "http://[::1]:3");
}

TEST(HostList, RejectsEmptyList) {
    EXPECT_TRUE(contains(error_of([] { parse_host_list(""); }), "host list is empty"));
    EXPECT_TRUE(contains(error_of([] { parse_host_list(" , ,"); }), "host list is empty"));
    EXPECT_TRUE(contains(error_of([] { parse_hosts({}); }), "host list is empty"));
}

TEST(HostList, RejectsTheSameNodeWrittenTwice) {
    const std::string message = error_of([] { parse_host_list("127.0.0.1:80,http://127.0.0.1"); });
    EXPECT_TRUE(contains(message, "\"127.0.0.1:80\" and \"http://127.0.0.1\""));
    EXPECT_TRUE(contains(message, "same node"));
    EXPECT_THROW(parse_host_list("https://A:443/p/,https://a/p"), ConfigError);
}

TEST(HostList, DifferentPrefixesOrSchemesAreDifferentNodes) {
    EXPECT_EQ(parse_host_list("lb/node1,lb/node2").size(), 2u);
    EXPECT_EQ(parse_host_list("http://a,https://a").size(), 2u);
    EXPECT_EQ(parse_host_list("a:80,a:81").size(), 2u);
}

TEST(HostList, RejectsAnInvalidItem) {
    EXPECT_TRUE(contains(error_of([] { parse_host_list("a:1,ftp://b"); }), "\"ftp://b\""));
}

TEST(HostList, SplitHostsFollowTheSameRules) {
    const auto hosts = parse_hosts({" a ", "", "b:8080"});
    ASSERT_EQ(hosts.size(), 2u);
    EXPECT_EQ(hosts[0].url(), "http://a");
    EXPECT_EQ(hosts[1].url(), "http://b:8080");
    EXPECT_THROW(parse_hosts({"a", "http://a:80/"}), ConfigError);
}
