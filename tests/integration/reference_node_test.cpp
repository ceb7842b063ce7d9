// SPDX-License-Identifier: MIT
// The reference node's API (docs/node-api.md), HTTP behaviour, admin endpoint and state accessors,
// over real sockets.
#include "cluster_client/errors.hpp"
#include "local_cluster.hpp"
#include "node_api/encoding.hpp"
#include "reference_node/node_cluster.hpp"
#include "test_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <future>
#include <system_error>
#include <thread>

namespace {

using namespace cluster_client::testing;
using cluster_client::node_api::encode_path_segment;
using cluster_client::node_api::group_body;
namespace node = cluster_client::reference_node;
namespace json = boost::json;
using Strings = std::vector<std::string>;

std::string collection(const std::string& base) {
    return base + "/v1/group/";
}

std::string item(const std::string& base, std::string_view id) {
    return base + "/v1/group/" + encode_path_segment(id) + "/";
}

json::value parse(const std::string& body) {
    return json::parse(body);
}

std::string group_id_of(const HttpReply& reply) {
    return json::value_to<std::string>(parse(reply.body).at("groupId"));
}

std::string error_of(const HttpReply& reply) {
    return json::value_to<std::string>(parse(reply.body).at("error"));
}

node::NodeClusterOptions with_admin() {
    node::NodeClusterOptions options;
    options.admin_port = 0;
    return options;
}

TEST(ReferenceNodeApi, CreateAnswers201AndStoresTheGroupOnThatNodeOnly) {
    LocalCluster cluster;
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body("alpha"));
    EXPECT_EQ(reply.status, 201u);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_EQ(group_id_of(reply), "alpha");
    EXPECT_EQ(cluster.groups(0), Strings{"alpha"});
    EXPECT_TRUE(cluster.groups(1).empty());
    EXPECT_TRUE(cluster.groups(2).empty());
}

TEST(ReferenceNodeApi, CreateOfAnExistingGroupAnswers400) {
    LocalCluster cluster;
    cluster.put(0, "alpha");
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body("alpha"));
    EXPECT_EQ(reply.status, 400u);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_FALSE(error_of(reply).empty());
    EXPECT_EQ(cluster.groups(0), Strings{"alpha"});
}

TEST(ReferenceNodeApi, CreateWithAnInvalidBodyAnswers400) {
    LocalCluster cluster;
    for (const std::string_view body : {"", "not json", "[]", "{}", R"({"groupId":5})", R"({"id":"x"})",
                                        R"({"groupId":null})", "{\"groupId\":\"\xff\"}"}) {
        const HttpReply reply = test_http("POST", collection(cluster.url(0)), body);
        EXPECT_EQ(reply.status, 400u) << body;
        EXPECT_FALSE(error_of(reply).empty()) << body;
    }
    EXPECT_TRUE(cluster.groups(0).empty());
}

TEST(ReferenceNodeApi, CreateWithAnInvalidIdAnswers400NamingTheRule) {
    LocalCluster cluster;
    for (const std::string& id : {std::string(), std::string(256, 'a'), std::string("a\x01z"), std::string("tab\there"),
                                  std::string("del\x7f")}) {
        const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body(id));
        EXPECT_EQ(reply.status, 400u) << id;
        EXPECT_FALSE(error_of(reply).empty()) << id;
    }
    EXPECT_TRUE(cluster.groups(0).empty());

    const std::string longest(255, 'b');
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), group_body(longest)).status, 201u);
}

TEST(ReferenceNodeApi, GetAnswers200WithTheIdOr404) {
    LocalCluster cluster;
    cluster.put(1, "alpha");
    const HttpReply found = test_http("GET", item(cluster.url(1), "alpha"));
    EXPECT_EQ(found.status, 200u);
    EXPECT_EQ(found.content_type, "application/json");
    EXPECT_EQ(group_id_of(found), "alpha");

    const HttpReply missing = test_http("GET", item(cluster.url(0), "alpha"));
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.content_type, "application/json");
}

TEST(ReferenceNodeApi, GetAcceptsTheItemRouteWithoutTrailingSlash) {
    LocalCluster cluster;
    cluster.put(0, "a b");
    const std::string url = cluster.url(0) + "/v1/group/" + encode_path_segment("a b");
    EXPECT_EQ(test_http("GET", url).status, 200u);
    EXPECT_EQ(test_http("GET", cluster.url(0) + "/v1/group/other").status, 404u);
}

TEST(ReferenceNodeApi, GetIgnoresTheQueryString) {
    LocalCluster cluster;
    cluster.put(0, "alpha");
    EXPECT_EQ(test_http("GET", item(cluster.url(0), "alpha") + "?verbose=1").status, 200u);
}

TEST(ReferenceNodeApi, IdsWithReservedAndNonAsciiCharactersRoundTrip) {
    LocalCluster cluster;
    const Strings ids{"a/b",     "what?", "#hash", "100%",       "with space",  "naïve",      "日本語",
                      "a+b&c=d", "../up", "%2F",   "\"quoted\"", "back\\slash", "☃/?#% mixed"};
    const std::string& base = cluster.url(2);
    for (const std::string& id : ids) {
        EXPECT_EQ(test_http("POST", collection(base), group_body(id)).status, 201u) << id;
        const HttpReply got = test_http("GET", item(base, id));
        ASSERT_EQ(got.status, 200u) << id;
        EXPECT_EQ(group_id_of(got), id);
    }
    Strings sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(cluster.groups(2), sorted);
    for (const std::string& id : ids) {
        EXPECT_EQ(test_http("DELETE", collection(base), group_body(id)).status, 200u) << id;
        EXPECT_EQ(test_http("GET", item(base, id)).status, 404u) << id;
    }
    EXPECT_TRUE(cluster.groups(2).empty());
}

TEST(ReferenceNodeApi, DeleteAnswers200AndRemovesTheGroup) {
    LocalCluster cluster;
    cluster.put(0, "alpha");
    cluster.put(1, "alpha");
    const HttpReply reply = test_http("DELETE", collection(cluster.url(0)), group_body("alpha"));
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_TRUE(cluster.groups(0).empty());
    EXPECT_EQ(cluster.groups(1), Strings{"alpha"});
}

TEST(ReferenceNodeApi, DeleteOfAMissingGroupAnswers404ByDefault) {
    LocalCluster cluster;
    const HttpReply reply = test_http("DELETE", collection(cluster.url(0)), group_body("ghost"));
    EXPECT_EQ(reply.status, 404u);
    EXPECT_FALSE(error_of(reply).empty());
}

TEST(ReferenceNodeApi, DeleteWithAnInvalidBodyAnswers400) {
    LocalCluster cluster;
    cluster.put(0, "alpha");
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(0)), "alpha").status, 400u);
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(0))).status, 400u);
    EXPECT_EQ(cluster.groups(0), Strings{"alpha"});
}

class DeleteMissingStatus : public ::testing::TestWithParam<unsigned> {};

TEST_P(DeleteMissingStatus, IsWhatDeleteOfAMissingGroupAnswers) {
    node::NodeClusterOptions options;
    options.delete_missing_status = GetParam();
    LocalCluster cluster(options);
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(0)), group_body("ghost")).status, GetParam());
    cluster.put(0, "alpha");
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(0)), group_body("alpha")).status, 200u);
    EXPECT_TRUE(cluster.groups(0).empty());
}

INSTANTIATE_TEST_SUITE_P(ReferenceNodeApi, DeleteMissingStatus, ::testing::Values(404u, 200u, 400u));

TEST(ReferenceNodeApi, UnknownRoutesAnswer404AndWrongMethods405) {
    LocalCluster cluster;
    const std::string& base = cluster.url(0);
    EXPECT_EQ(test_http("GET", base + "/").status, 404u);
    EXPECT_EQ(test_http("GET", base + "/v1/groups/").status, 404u);
    EXPECT_EQ(test_http("POST", base + "/v1/group", group_body("x")).status, 404u);
    EXPECT_EQ(test_http("GET", base + "/v1/group/a/b/").status, 404u);
    EXPECT_EQ(test_http("GET", base + "/v1/group//").status, 404u);

    const HttpReply list = test_http("GET", collection(base));
    EXPECT_EQ(list.status, 405u);
    EXPECT_EQ(list.allow, "POST, DELETE");
    EXPECT_EQ(test_http("PUT", collection(base), group_body("x")).status, 405u);
    const HttpReply post_item = test_http("POST", item(base, "x"), group_body("x"));
    EXPECT_EQ(post_item.status, 405u);
    EXPECT_EQ(post_item.allow, "GET");
    EXPECT_EQ(test_http("DELETE", item(base, "x")).status, 405u);
    EXPECT_TRUE(cluster.groups(0).empty());
}

TEST(ReferenceNodeApi, MalformedPercentEncodingAnswers400) {
    LocalCluster cluster;
    EXPECT_EQ(test_http("GET", cluster.url(0) + "/v1/group/%zz/").status, 400u);
    EXPECT_EQ(test_http("GET", cluster.url(0) + "/v1/group/abc%4/").status, 400u);
}

TEST(ReferenceNodeHttp, KeepAliveServesPipelinedRequestsOnOneConnection) {
    LocalCluster cluster;
    cluster.put(0, "alpha");
    const RawReply raw = raw_http(cluster.url(0),
                                  "GET /v1/group/alpha/ HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /v1/group/beta/ HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /v1/group/alpha HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(raw.transport, Transport::ok) << raw.error;
    EXPECT_EQ(count_responses(raw.data), 3) << raw.data;
    EXPECT_TRUE(raw.data.starts_with("HTTP/1.1 200 OK\r\n")) << raw.data;
    EXPECT_NE(raw.data.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos) << raw.data;
    EXPECT_NE(raw.data.find("Connection: close\r\n"), std::string::npos) << raw.data;
    EXPECT_EQ(cluster.requests(0), 3u);
}

TEST(ReferenceNodeHttp, ConnectionCloseEndsTheConnectionAfterTheAnswer) {
    LocalCluster cluster;
    const RawReply raw = raw_http(cluster.url(0),
                                  "GET /v1/group/a/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                  "GET /v1/group/b/ HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(raw.transport, Transport::ok) << raw.error;
    EXPECT_EQ(count_responses(raw.data), 1) << raw.data;
    EXPECT_EQ(cluster.requests(0), 1u);
}

TEST(ReferenceNodeHttp, Http10IsClosedUnlessItAsksForKeepAlive) {
    LocalCluster cluster;
    const RawReply plain = raw_http(cluster.url(0), "GET /v1/group/a/ HTTP/1.0\r\n\r\n");
    EXPECT_EQ(plain.transport, Transport::ok) << plain.error;
    EXPECT_EQ(count_responses(plain.data), 1) << plain.data;

    const RawReply kept = raw_http(cluster.url(0), "GET /v1/group/a/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                                   std::chrono::milliseconds(300));
    EXPECT_EQ(kept.transport, Transport::timeout);
    EXPECT_NE(kept.data.find("Connection: keep-alive\r\n"), std::string::npos) << kept.data;
}

TEST(ReferenceNodeHttp, OversizedHeaderAnswers431) {
    LocalCluster cluster;
    const std::string request =
        "GET /v1/group/a/ HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'f') + "\r\n\r\n";
    const RawReply raw = raw_http(cluster.url(0), request);
    EXPECT_TRUE(raw.data.starts_with("HTTP/1.1 431 ")) << raw.data << raw.error;
}

TEST(ReferenceNodeHttp, OversizedBodyAnswers413) {
    LocalCluster cluster;
    const std::string id(64 * 1024, 'x');
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body(id));
    EXPECT_EQ(reply.status, 413u) << reply.error;
    EXPECT_TRUE(cluster.groups(0).empty());

    // At the limit the body is read and judged: the id is too long, not the body.
    std::string body = group_body(std::string(64 * 1024 - 14, 'y'));
    ASSERT_EQ(body.size(), 64u * 1024u);
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), body).status, 400u);
}

TEST(ReferenceNodeHttp, GarbageAnswers400AndCloses) {
    LocalCluster cluster;
    const RawReply raw = raw_http(cluster.url(0), "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_TRUE(raw.data.starts_with("HTTP/1.1 400 ")) << raw.data;
    EXPECT_EQ(raw.transport, Transport::ok) << raw.error;
}

TEST(ReferenceNodeHttp, ServesConcurrentClientsOnSeveralThreads) {
    node::NodeClusterOptions options;
    options.nodes = 2;
    LocalCluster cluster(options, 4);
    constexpr int clients = 8;
    constexpr int per_client = 40;
    std::vector<std::future<int>> created;
    for (int c = 0; c < clients; ++c) {
        created.push_back(std::async(std::launch::async, [&cluster, c] {
            int count = 0;
            for (int i = 0; i < per_client; ++i) {
                const std::string id = "g-" + std::to_string(c) + "-" + std::to_string(i);
                for (int n = 0; n < cluster.size(); ++n) {
                    count += test_http("POST", collection(cluster.url(n)), group_body(id)).status == 201u;
                }
            }
            return count;
        }));
    }
    int total = 0;
    for (auto& future : created) total += future.get();
    EXPECT_EQ(total, clients * per_client * 2);
    for (int n = 0; n < cluster.size(); ++n) {
        EXPECT_EQ(cluster.groups(n).size(), std::size_t{clients * per_client});
        EXPECT_EQ(cluster.requests(n), std::uint64_t{clients * per_client});
    }
}

TEST(ReferenceNodeCluster, CountsRequestsPerNode) {
    LocalCluster cluster;
    test_http("GET", item(cluster.url(1), "a"));
    test_http("POST", collection(cluster.url(1)), group_body("a"));
    test_http("GET", cluster.url(1) + "/nowhere");
    EXPECT_EQ(cluster.requests(0), 0u);
    EXPECT_EQ(cluster.requests(1), 3u);
    cluster.clear();
    EXPECT_EQ(cluster.requests(1), 0u);
    EXPECT_TRUE(cluster.groups(1).empty());
}

TEST(ReferenceNodeCluster, StateAccessorsSeeWhatTheApiSees) {
    LocalCluster cluster;
    cluster.put(0, "b");
    cluster.put(0, "a");
    cluster.put(0, "a");
    EXPECT_EQ(cluster.groups(0), (Strings{"a", "b"}));
    EXPECT_EQ(test_http("GET", item(cluster.url(0), "b")).status, 200u);
    EXPECT_TRUE(cluster.erase(0, "b"));
    EXPECT_FALSE(cluster.erase(0, "b"));
    EXPECT_EQ(test_http("GET", item(cluster.url(0), "b")).status, 404u);
    EXPECT_EQ(cluster.nodes_with("a"), std::vector<int>{0});
    EXPECT_THROW(cluster.groups(3), std::out_of_range);
    EXPECT_THROW(cluster.put(-1, "x"), std::out_of_range);
    EXPECT_THROW(cluster.requests(7), std::out_of_range);
}

TEST(ReferenceNodeCluster, UrlsArePortsOnLoopback) {
    boost::asio::io_context io;
    node::NodeCluster cluster(io.get_executor(), with_admin());
    ASSERT_EQ(cluster.urls().size(), 3u);
    ASSERT_EQ(cluster.ports().size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NE(cluster.ports()[i], 0);
        EXPECT_EQ(cluster.urls()[i], "http://127.0.0.1:" + std::to_string(cluster.ports()[i]));
    }
    ASSERT_TRUE(cluster.admin_port());
    EXPECT_EQ(cluster.admin_url(), "http://127.0.0.1:" + std::to_string(*cluster.admin_port()));

    node::NodeCluster without_admin(io.get_executor(), {});
    EXPECT_FALSE(without_admin.admin_port());
    EXPECT_FALSE(without_admin.admin_url());
}

TEST(ReferenceNodeCluster, BindConflictThrowsNamingTheAddress) {
    boost::asio::io_context io;
    node::NodeClusterOptions first_options;
    first_options.nodes = 1;
    node::NodeCluster first(io.get_executor(), first_options);
    node::NodeClusterOptions second_options;
    second_options.nodes = 1;
    second_options.base_port = first.ports().at(0);
    try {
        node::NodeCluster second(io.get_executor(), second_options);
        FAIL() << "bound a port that is taken";
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(second_options.base_port)),
                  std::string::npos)
            << e.what();
    }
}

TEST(ReferenceNodeCluster, BasePortGivesConsecutivePorts) {
    boost::asio::io_context io;
    // A free base port is found by trying: another process may take any port meanwhile.
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::uint16_t base = 0;
        {
            node::NodeClusterOptions probe;
            probe.nodes = 1;
            base = node::NodeCluster(io.get_executor(), probe).ports().at(0);
        }
        if (base > 65000) continue;
        node::NodeClusterOptions options;
        options.base_port = base;
        try {
            node::NodeCluster cluster(io.get_executor(), options);
            const auto b = static_cast<std::uint16_t>(base + 1);
            const auto c = static_cast<std::uint16_t>(base + 2);
            EXPECT_EQ(cluster.ports(), (std::vector<std::uint16_t>{base, b, c}));
            return;
        } catch (const std::system_error&) {
        }
    }
    FAIL() << "found no three consecutive free ports";
}

TEST(ReferenceNodeCluster, RejectsUnusableOptionsNamingTheRule) {
    boost::asio::io_context io;
    const auto error_for = [&io](node::NodeClusterOptions options) -> std::string {
        try {
            node::NodeCluster cluster(io.get_executor(), std::move(options));
        } catch (const cluster_client::ConfigError& e) {
            return e.what();
        }
        return "accepted";
    };
    node::NodeClusterOptions options;
    options.nodes = 0;
    EXPECT_NE(error_for(options).find("node count"), std::string::npos);
    options.nodes = 10001;
    EXPECT_NE(error_for(options).find("node count"), std::string::npos);
    options = {};
    options.delete_missing_status = 500;
    EXPECT_NE(error_for(options).find("--delete-missing"), std::string::npos);
    options = {};
    options.bind = "localhost";
    EXPECT_NE(error_for(options).find("bind address"), std::string::npos);
    options = {};
    options.base_port = 65534;
    EXPECT_NE(error_for(options).find("65535"), std::string::npos);
    options = {};
    options.faults.p_hang_after = 1.5;
    EXPECT_NE(error_for(options).find("--p-hang-after"), std::string::npos);
    options = {};
    options.faults.p_500_before = 0.6;
    options.faults.p_reset = 0.5;
    EXPECT_NE(error_for(options).find("sum"), std::string::npos);
    options = {};
    options.faults.faulty_nodes = {3};
    EXPECT_NE(error_for(options).find("--faulty-nodes"), std::string::npos);
    options = {};
    options.faults.latency = std::chrono::milliseconds(-1);
    EXPECT_NE(error_for(options).find("latency"), std::string::npos);
    options = {};
    options.faults.p_500_before = 0.2;
    options.faults.p_500_after = 0.7;
    options.faults.p_reset = 0.1;
    EXPECT_EQ(error_for(options), "accepted");
}

TEST(ReferenceNodeCluster, StopClosesTheListenersAndIsIdempotent) {
    LocalCluster cluster;
    const std::string url = item(cluster.url(0), "a");
    EXPECT_EQ(test_http("GET", url).status, 404u);
    cluster.stop();
    cluster.stop();
    EXPECT_EQ(test_http("GET", url).transport, Transport::refused);
}

TEST(ReferenceNodeAdmin, StateListsEveryNodeWithSortedGroupsAndRequests) {
    LocalCluster cluster(with_admin());
    ASSERT_TRUE(cluster.admin_url());
    cluster.put(1, "zeta");
    cluster.put(1, "alpha");
    test_http("GET", item(cluster.url(2), "x"));
    const HttpReply reply = test_http("GET", *cluster.admin_url() + "/admin/state");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.content_type, "application/json");
    const json::value expected = {
        {"nodes",
         json::array{json::object{{"index", 0}, {"url", cluster.url(0)}, {"groups", json::array{}}, {"requests", 0}},
                     json::object{{"index", 1},
                                  {"url", cluster.url(1)},
                                  {"groups", json::array{"alpha", "zeta"}},
                                  {"requests", 0}},
                     json::object{{"index", 2}, {"url", cluster.url(2)}, {"groups", json::array{}}, {"requests", 1}}}}};
    EXPECT_EQ(parse(reply.body), expected) << reply.body;
}

TEST(ReferenceNodeAdmin, ResetClearsGroupsAndCounters) {
    LocalCluster cluster(with_admin());
    cluster.put(0, "a");
    test_http("POST", collection(cluster.url(2)), group_body("b"));
    const HttpReply reply = test_http("POST", *cluster.admin_url() + "/admin/reset");
    EXPECT_EQ(reply.status, 200u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(cluster.groups(i).empty());
        EXPECT_EQ(cluster.requests(i), 0u);
    }
}

TEST(ReferenceNodeAdmin, FaultsReplacesTheFaults) {
    LocalCluster cluster(with_admin());
    const std::string faults_url = *cluster.admin_url() + "/admin/faults";
    const HttpReply set = test_http("POST", faults_url, R"({"p_500_before": 1, "faulty_nodes": [0], "seed": 7})");
    ASSERT_EQ(set.status, 200u) << set.body;
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), group_body("a")).status, 500u);
    EXPECT_EQ(test_http("POST", collection(cluster.url(1)), group_body("a")).status, 201u);

    const json::value current = parse(test_http("GET", faults_url).body);
    EXPECT_EQ(current.at("p_500_before").to_number<double>(), 1.0);
    EXPECT_EQ(current.at("faulty_nodes"), (json::array{0}));
    EXPECT_EQ(current.at("seed").to_number<std::uint64_t>(), 7u);
    EXPECT_EQ(current.at("latency_ms").to_number<std::int64_t>(), 0);

    ASSERT_EQ(test_http("POST", faults_url, "{}").status, 200u);
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), group_body("a")).status, 201u);
}

TEST(ReferenceNodeAdmin, FaultsRejectsBadInputAndKeepsTheFaults) {
    LocalCluster cluster(with_admin());
    const std::string faults_url = *cluster.admin_url() + "/admin/faults";
    ASSERT_EQ(test_http("POST", faults_url, R"({"latency_ms": 5})").status, 200u);
    for (const std::string_view body :
         {"", "not json", "[]", R"({"p_500_before": 1.5})", R"({"p_reset": -0.1})",
          R"({"p_500_before": 0.6, "p_500_after": 0.6})", R"({"p_hang": 0.1})", R"({"latency_ms": 1.5})",
          R"({"latency_ms": -1})", R"({"seed": -3})", R"({"faulty_nodes": [3]})", R"({"faulty_nodes": "0"})",
          R"({"p_reset": "0.1"})"}) {
        const HttpReply reply = test_http("POST", faults_url, body);
        EXPECT_EQ(reply.status, 400u) << body;
        EXPECT_EQ(reply.content_type, "application/json");
        EXPECT_FALSE(error_of(reply).empty()) << body;
    }
    EXPECT_EQ(cluster.cluster().faults().latency, std::chrono::milliseconds(5));
}

TEST(ReferenceNodeAdmin, PutsAGroupOnOneNodeBypassingFaults) {
    node::NodeClusterOptions options = with_admin();
    options.faults.p_reset = 1.0;
    LocalCluster cluster(options);
    const std::string url = *cluster.admin_url() + "/admin/nodes/1/groups";
    EXPECT_EQ(test_http("POST", url, group_body("a/b")).status, 201u);
    EXPECT_EQ(test_http("POST", url, group_body("a/b")).status, 200u);
    EXPECT_EQ(cluster.groups(1), Strings{"a/b"});
    EXPECT_TRUE(cluster.groups(0).empty());

    const std::string admin = *cluster.admin_url();
    EXPECT_EQ(test_http("POST", admin + "/admin/nodes/3/groups", group_body("x")).status, 400u);
    EXPECT_EQ(test_http("POST", admin + "/admin/nodes/-1/groups", group_body("x")).status, 400u);
    EXPECT_EQ(test_http("POST", admin + "/admin/nodes/one/groups", group_body("x")).status, 400u);
    EXPECT_EQ(test_http("POST", url, "{}").status, 400u);
    EXPECT_EQ(test_http("POST", url, group_body("")).status, 400u);
    EXPECT_EQ(test_http("GET", url).status, 405u);
    EXPECT_EQ(cluster.groups(1), Strings{"a/b"});
}

TEST(ReferenceNodeAdmin, IsNeverFaultedNorDelayed) {
    node::NodeClusterOptions options = with_admin();
    options.faults.p_hang_before = 1.0;
    options.faults.latency = std::chrono::milliseconds(2000);
    LocalCluster cluster(options);
    const HttpReply reply =
        test_http("GET", *cluster.admin_url() + "/admin/state", {}, std::chrono::milliseconds(1000));
    EXPECT_EQ(reply.status, 200u) << reply.error;
}

TEST(ReferenceNodeAdmin, UnknownRoutesAnswer404AndWrongMethods405) {
    LocalCluster cluster(with_admin());
    const std::string admin = *cluster.admin_url();
    EXPECT_EQ(test_http("GET", admin + "/admin/nothing").status, 404u);
    EXPECT_EQ(test_http("GET", admin + "/v1/group/a/").status, 404u);
    EXPECT_EQ(test_http("POST", admin + "/admin/state").status, 405u);
    EXPECT_EQ(test_http("GET", admin + "/admin/reset").status, 405u);
    EXPECT_EQ(test_http("DELETE", admin + "/admin/faults").status, 405u);
}

}  // namespace
