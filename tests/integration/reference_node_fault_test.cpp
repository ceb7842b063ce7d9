// SPDX-License-Identifier: MIT
// Every fault of the reference node does what its documentation says, over real sockets.
#include "cluster_client/errors.hpp"
#include "local_cluster.hpp"
#include "node_api/encoding.hpp"
#include "test_http.hpp"
#include "time_scale.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <thread>

namespace {

using namespace cluster_client::testing;
using namespace std::chrono_literals;
using cluster_client::node_api::encode_path_segment;
using cluster_client::node_api::group_body;
namespace node = cluster_client::reference_node;
using Strings = std::vector<std::string>;

constexpr auto short_timeout = 300ms;

std::string collection(const std::string& base) {
    return base + "/v1/group/";
}

std::string item(const std::string& base, std::string_view id) {
    return base + "/v1/group/" + encode_path_segment(id) + "/";
}

node::NodeClusterOptions faulty(node::FaultOptions faults) {
    node::NodeClusterOptions options;
    options.faults = std::move(faults);
    return options;
}

TEST(ReferenceNodeFaults, Error500BeforeAnswers500WithoutApplying) {
    LocalCluster cluster(faulty({.p_500_before = 1.0}));
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), group_body("a")).status, 500u);
    EXPECT_TRUE(cluster.groups(0).empty());
    cluster.put(1, "b");
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(1)), group_body("b")).status, 500u);
    EXPECT_EQ(cluster.groups(1), Strings{"b"});
    EXPECT_EQ(test_http("GET", item(cluster.url(1), "b")).status, 500u);
}

TEST(ReferenceNodeFaults, Error500AfterAppliesThenAnswers500) {
    LocalCluster cluster(faulty({.p_500_after = 1.0}));
    const HttpReply created = test_http("POST", collection(cluster.url(0)), group_body("a"));
    EXPECT_EQ(created.status, 500u);
    EXPECT_EQ(created.content_type, "application/json");
    EXPECT_EQ(cluster.groups(0), Strings{"a"});
    EXPECT_EQ(test_http("DELETE", collection(cluster.url(0)), group_body("a")).status, 500u);
    EXPECT_TRUE(cluster.groups(0).empty());
}

TEST(ReferenceNodeFaults, HangBeforeTimesOutWithoutApplying) {
    LocalCluster cluster(faulty({.p_hang_before = 1.0}));
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body("a"), short_timeout);
    EXPECT_EQ(reply.transport, Transport::timeout) << reply.error;
    EXPECT_GE(reply.elapsed, short_timeout);
    EXPECT_TRUE(cluster.groups(0).empty());
    EXPECT_EQ(cluster.requests(0), 1u);
}

TEST(ReferenceNodeFaults, HangAfterAppliesThenTimesOut) {
    LocalCluster cluster(faulty({.p_hang_after = 1.0}));
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body("a"), short_timeout);
    EXPECT_EQ(reply.transport, Transport::timeout) << reply.error;
    EXPECT_EQ(cluster.groups(0), Strings{"a"});
}

TEST(ReferenceNodeFaults, ResetResetsTheConnectionWithoutApplying) {
    LocalCluster cluster(faulty({.p_reset = 1.0}));
    const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body("a"));
    EXPECT_EQ(reply.transport, Transport::reset) << reply.error;
    EXPECT_EQ(reply.status, 0u);
    EXPECT_TRUE(cluster.groups(0).empty());
}

TEST(ReferenceNodeFaults, LatencyDelaysEveryRequestOnEveryNode) {
    LocalCluster cluster(faulty({.p_500_before = 1.0, .latency = 200ms, .faulty_nodes = {1}}));
    const HttpReply healthy = test_http("GET", item(cluster.url(0), "a"));
    EXPECT_EQ(healthy.status, 404u);
    EXPECT_GE(healthy.elapsed, 200ms);
    const HttpReply failing = test_http("GET", item(cluster.url(1), "a"));
    EXPECT_EQ(failing.status, 500u);
    EXPECT_GE(failing.elapsed, 200ms);
}

TEST(ReferenceNodeFaults, LatencyDoesNotSerialiseConnections) {
    // The latency is stretched with the bound on a slow build, so that five requests one at
    // a time still take longer than the bound.
    const std::chrono::milliseconds latency = scaled(400ms);
    LocalCluster cluster(faulty({.latency = latency}));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::future<HttpReply>> replies;
    for (int i = 0; i < 5; ++i) {
        replies.push_back(std::async(std::launch::async, [&cluster, latency] {
            return test_http("GET", item(cluster.url(0), "a"), {}, latency + scaled(2000ms));
        }));
    }
    for (auto& reply : replies) EXPECT_EQ(reply.get().status, 404u);
    // One at a time would take 5 latencies (2 s unscaled); concurrently about one.
    EXPECT_LT(std::chrono::steady_clock::now() - start, scaled(1500ms));
}

TEST(ReferenceNodeFaults, FaultyNodesLimitsTheFaultsToTheListedNodes) {
    LocalCluster cluster(faulty({.p_500_before = 1.0, .faulty_nodes = {0, 2}}));
    EXPECT_EQ(test_http("POST", collection(cluster.url(0)), group_body("a")).status, 500u);
    EXPECT_EQ(test_http("POST", collection(cluster.url(1)), group_body("a")).status, 201u);
    EXPECT_EQ(test_http("POST", collection(cluster.url(2)), group_body("a")).status, 500u);
    EXPECT_EQ(cluster.nodes_with("a"), std::vector<int>{1});
}

// The statuses of `count` GETs to node `index` under faults with p_500_before = 0.5.
std::string fault_sequence(LocalCluster& cluster, int index, std::uint64_t seed, int count = 64) {
    cluster.set_faults({.p_500_before = 0.5, .seed = seed});
    std::string sequence;
    for (int i = 0; i < count; ++i) {
        const unsigned status = test_http("GET", item(cluster.url(index), "a")).status;
        sequence += status == 500u ? 'F' : status == 404u ? '.' : '?';
    }
    return sequence;
}

TEST(ReferenceNodeFaults, SameSeedGivesTheSameFaultSequence) {
    LocalCluster cluster;
    const std::string first = fault_sequence(cluster, 0, 42);
    EXPECT_EQ(first.find('?'), std::string::npos) << first;
    EXPECT_NE(first.find('F'), std::string::npos) << first;
    EXPECT_NE(first.find('.'), std::string::npos) << first;
    EXPECT_EQ(fault_sequence(cluster, 0, 42), first);
    EXPECT_NE(fault_sequence(cluster, 0, 43), first);
    // Node i draws from seed + i.
    EXPECT_EQ(fault_sequence(cluster, 1, 41), first);
}

TEST(ReferenceNodeFaults, MixedProbabilitiesSplitRequestsIntoTheirBands) {
    LocalCluster cluster(
        faulty({.p_500_before = 0.25, .p_500_after = 0.25, .p_reset = 0.25, .faulty_nodes = {0}, .seed = 5}));
    std::map<std::string, int> outcomes;
    int applied_500 = 0;
    for (int i = 0; i < 200; ++i) {
        const std::string id = "g" + std::to_string(i);
        const HttpReply reply = test_http("POST", collection(cluster.url(0)), group_body(id));
        const bool applied = cluster.has(0, id);
        if (reply.transport == Transport::reset) {
            ++outcomes["reset"];
            EXPECT_FALSE(applied) << id;
        } else if (reply.status == 201u) {
            ++outcomes["created"];
            EXPECT_TRUE(applied) << id;
        } else if (reply.status == 500u) {
            ++outcomes["500"];
            applied_500 += applied;
        } else {
            ++outcomes["other"];
        }
    }
    // 50 expected in each band of 0.25; the bounds are more than five deviations away.
    EXPECT_GT(outcomes["reset"], 20);
    EXPECT_LT(outcomes["reset"], 80);
    EXPECT_GT(outcomes["created"], 20);
    EXPECT_LT(outcomes["created"], 80);
    EXPECT_GT(outcomes["500"], 60);
    EXPECT_GT(applied_500, 20);
    EXPECT_LT(applied_500, outcomes["500"] - 20);
    EXPECT_EQ(outcomes["other"], 0);
}

TEST(ReferenceNodeFaults, HungConnectionsHoldUpNothingAndEndAtStop) {
    LocalCluster cluster(faulty({.p_hang_before = 1.0, .faulty_nodes = {0}}));
    auto hung = std::async(std::launch::async, [&cluster] {
        return test_http("POST", collection(cluster.url(0)), group_body("a"), scaled(10000ms));
    });
    // Wait until the node has the request, so that it is surely parked.
    for (int i = 0; i < 200 && cluster.requests(0) == 0; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(cluster.requests(0), 1u);

    const HttpReply other = test_http("GET", item(cluster.url(1), "a"), {}, scaled(2000ms));
    EXPECT_EQ(other.status, 404u);
    EXPECT_LT(other.elapsed, scaled(1000ms));
    cluster.set_faults({});
    const HttpReply same_node = test_http("GET", item(cluster.url(0), "a"));
    EXPECT_EQ(same_node.status, 404u);

    const auto stopping = std::chrono::steady_clock::now();
    cluster.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, scaled(2000ms));
    const HttpReply reply = hung.get();
    EXPECT_TRUE(reply.transport == Transport::closed || reply.transport == Transport::reset) << reply.error;
    EXPECT_LT(reply.elapsed, scaled(5000ms)) << "it ended at the stop, well before its own timeout";
}

TEST(ReferenceNodeFaults, FaultedRequestsAreCounted) {
    LocalCluster cluster(faulty({.p_reset = 1.0}));
    for (int i = 0; i < 3; ++i) test_http("GET", item(cluster.url(2), "a"));
    EXPECT_EQ(cluster.requests(2), 3u);
}

TEST(ReferenceNodeFaults, SetFaultsRejectsUnusableFaults) {
    LocalCluster cluster;
    EXPECT_THROW(cluster.set_faults({.p_500_before = 2.0}), cluster_client::ConfigError);
    EXPECT_THROW(cluster.set_faults({.faulty_nodes = {5}}), cluster_client::ConfigError);
    EXPECT_EQ(test_http("GET", item(cluster.url(0), "a")).status, 404u);
}

}  // namespace
