// SPDX-License-Identifier: MIT
// The cluster-node executable: startup lines, serving, signals, flags and usage errors.
#include "node_process.hpp"
#include "local_cluster.hpp"
#include "node_api/encoding.hpp"
#include "test_http.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <ostream>
#include <thread>

namespace {

using namespace cluster_client::testing;
using namespace std::chrono_literals;
using cluster_client::node_api::group_body;
namespace json = boost::json;
using Args = std::vector<std::string>;

std::string collection(const std::string& base) {
    return base + "/v1/group/";
}

// The groups of every node, as the admin endpoint reports them.
std::vector<std::vector<std::string>> admin_groups(const NodeProcess& process) {
    const HttpReply reply = test_http("GET", *process.admin_url() + "/admin/state");
    const json::value state = json::parse(reply.body);
    std::vector<std::vector<std::string>> groups;
    for (const json::value& node : state.at("nodes").as_array()) {
        groups.push_back(json::value_to<std::vector<std::string>>(node.at("groups")));
    }
    return groups;
}

TEST(NodeProcess, PrintsItsUrlsServesAndStopsOnSigterm) {
    NodeProcess process({"--nodes", "3", "--base-port", "0", "--admin-port", "0"});
    ASSERT_EQ(process.urls().size(), 3u);
    ASSERT_TRUE(process.admin_url());
    for (const std::string& url : process.urls()) {
        EXPECT_TRUE(url.starts_with("http://127.0.0.1:")) << url;
    }

    EXPECT_EQ(test_http("POST", collection(process.urls()[2]), group_body("a b")).status, 201u);
    EXPECT_EQ(admin_groups(process), (std::vector<std::vector<std::string>>{{}, {}, {"a b"}}));

    process.kill(SIGTERM);
    EXPECT_EQ(process.wait(), 0);
}

TEST(NodeProcess, StopsOnSigintWithStatus0) {
    NodeProcess process({"--nodes", "1"});
    ASSERT_EQ(process.urls().size(), 1u);
    EXPECT_FALSE(process.admin_url());
    process.kill(SIGINT);
    EXPECT_EQ(process.wait(), 0);
}

TEST(NodeProcess, StopsWhileAConnectionHangs) {
    NodeProcess process({"--nodes", "1", "--p-hang-after", "1", "--admin-port", "0"});
    auto hung = std::async(std::launch::async, [&process] {
        return test_http("POST", collection(process.urls()[0]), group_body("a"), 10s);
    });
    // hang-after applies before parking: wait until the group is there.
    for (int i = 0; i < 200 && admin_groups(process)[0].empty(); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(admin_groups(process)[0], std::vector<std::string>{"a"});
    process.kill(SIGTERM);
    EXPECT_EQ(process.wait(), 0);
    EXPECT_NE(hung.get().transport, Transport::ok);
}

TEST(NodeProcess, FaultFlagsApplyToTheListedNodes) {
    NodeProcess process(
        {"--nodes", "2", "--admin-port", "0", "--p-500-after", "1", "--faulty-nodes", "1", "--seed", "9"});
    EXPECT_EQ(test_http("POST", collection(process.urls()[0]), group_body("a")).status, 201u);
    EXPECT_EQ(test_http("POST", collection(process.urls()[1]), group_body("a")).status, 500u);
    EXPECT_EQ(admin_groups(process), (std::vector<std::vector<std::string>>{{"a"}, {"a"}}));
    const json::value faults = json::parse(test_http("GET", *process.admin_url() + "/admin/faults").body);
    EXPECT_EQ(faults.at("faulty_nodes"), (json::array{1}));
    EXPECT_EQ(faults.at("seed").to_number<std::uint64_t>(), 9u);
}

TEST(NodeProcess, LatencyAndDeleteMissingFlags) {
    NodeProcess process({"--nodes", "1", "--latency-ms", "150", "--delete-missing", "200"});
    const HttpReply reply = test_http("DELETE", collection(process.urls()[0]), group_body("ghost"));
    EXPECT_EQ(reply.status, 200u);
    EXPECT_GE(reply.elapsed, 150ms);
}

TEST(NodeProcess, ServesOnSeveralThreads) {
    NodeProcess process({"--nodes", "2", "--threads", "4", "--admin-port", "0"});
    std::vector<std::future<int>> created;
    for (int c = 0; c < 4; ++c) {
        created.push_back(std::async(std::launch::async, [&process, c] {
            int count = 0;
            for (int i = 0; i < 25; ++i) {
                const std::string id = std::to_string(c) + "-" + std::to_string(i);
                count += test_http("POST", collection(process.urls()[1]), group_body(id)).status == 201u;
            }
            return count;
        }));
    }
    int total = 0;
    for (auto& future : created) total += future.get();
    EXPECT_EQ(total, 100);
    EXPECT_EQ(admin_groups(process)[1].size(), 100u);
    process.kill(SIGTERM);
    EXPECT_EQ(process.wait(), 0);
}

TEST(NodeProcess, HelpExits0) {
    const ProcessResult result = run_cluster_node({"--help"});
    EXPECT_EQ(result.exit_status, 0);
    EXPECT_NE(result.out.find("--p-500-before"), std::string::npos) << result.out;
}

TEST(NodeProcess, TakenPortExits1NamingTheAddress) {
    LocalCluster taken;
    const std::string port = taken.url(0).substr(taken.url(0).rfind(':') + 1);
    const ProcessResult result = run_cluster_node({"--nodes", "1", "--base-port", port});
    EXPECT_EQ(result.exit_status, 1);
    EXPECT_NE(result.err.find("127.0.0.1:" + port), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
}

struct UsageCase {
    std::string name;
    Args args;
    std::string message;
};

// GoogleTest prints the parameter of a failing case: its name says enough.
void PrintTo(const UsageCase& usage, std::ostream* out) {
    *out << usage.name;
}

class UsageError : public ::testing::TestWithParam<UsageCase> {};

TEST_P(UsageError, Exits2NamingTheRule) {
    const ProcessResult result = run_cluster_node(GetParam().args);
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
}

const UsageCase usage_cases[] = {
    {"ProbabilityAboveOne", {"--p-500-before", "1.5"}, "--p-500-before must be a probability in [0, 1]"},
    {"NegativeProbability", {"--p-reset", "-0.1"}, "--p-reset must be a probability in [0, 1]"},
    {"ProbabilitiesSumAboveOne", {"--p-500-before", "0.6", "--p-hang-after", "0.6"}, "sum to at most 1"},
    {"ZeroNodes", {"--nodes", "0"}, "node count must be in [1, 10000]"},
    {"TooManyNodes", {"--nodes", "10001"}, "node count must be in [1, 10000]"},
    {"NodesNotANumber", {"--nodes", "many"}, "--nodes"},
    {"BasePortOutOfRange", {"--base-port", "70000"}, "--base-port must be in [0, 65535]"},
    {"BasePortPlusNodesOverflows", {"--base-port", "65534"}, "exceeds port 65535"},
    {"AdminPortOutOfRange", {"--admin-port", "65536"}, "--admin-port must be in [0, 65535]"},
    {"FaultyNodeOutOfRange", {"--faulty-nodes", "0,3"}, "--faulty-nodes: node index 3"},
    {"DeleteMissingStatus", {"--delete-missing", "500"}, "--delete-missing must be 404, 200 or 400"},
    {"NegativeLatency", {"--latency-ms", "-5"}, "--latency-ms must be >= 0"},
    {"ZeroThreads", {"--threads", "0"}, "--threads must be in [1, 256]"},
    {"BindNotAnAddress", {"--bind", "localhost"}, "bind address"},
    {"UnknownLogLevel", {"--log-level", "loud"}, "--log-level"},
    {"UnknownFlag", {"--no-such-flag"}, "--no-such-flag"},
};

INSTANTIATE_TEST_SUITE_P(NodeProcess, UsageError, ::testing::ValuesIn(usage_cases),
                         [](const ::testing::TestParamInfo<UsageCase>& param_info) { return param_info.param.name; });

}  // namespace
