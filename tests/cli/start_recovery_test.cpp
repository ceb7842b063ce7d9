// SPDX-License-Identifier: MIT
// Recovery at start is bounded (I6): open sagas are recovered concurrently and all of it ends
// within one saga deadline, and the command's own sagas never wait for the recovery of other
// groups. Once, eight sagas left open on a hanging node made `create fresh-id` take 97 s,
// growing with every open saga, while its own saga took 2 ms. And the exit code is the
// command's own: an earlier run's saga that stays open is a warning naming its next step.
#include <chrono>

#include <gtest/gtest.h>

#include "hooked_node.hpp"
#include "local_cluster.hpp"
#include "program.hpp"
#include "test_directory.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::HookedNode;

TEST(StartRecovery, ACommandDoesNotWaitForTheRecoveryOfOtherGroups) {
    const testing::TestDirectory home("start-recovery");
    auto cli = [&](const std::vector<std::string>& args) {
        testing::ProgramOptions options;
        const auto state = home.path().string();
        options.env = {{"HOSTS", std::nullopt}, {"XDG_STATE_HOME", state}, {"XDG_CONFIG_HOME", state}};
        options.timeout = testing::scaled(std::chrono::milliseconds(120s));
        return testing::run_program(CLUSTER_CLIENT_EXE, args, options);
    };
    reference_node::NodeClusterOptions two;
    two.nodes = 2;
    testing::LocalCluster cluster(two);
    HookedNode node;
    // While the open sagas are made, the third node fails every request on their groups.
    node.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
        if (request.group.starts_with("open-")) return HookedNode::Override{.status = 500};
        return std::nullopt;
    });
    const auto hosts = cluster.url(0) + "," + cluster.url(1) + "," + node.url();
    // The node's breaker stays closed: each recovery then waits out its own deadline, as
    // with a node that hangs on some groups only.
    const std::vector<std::string> timing{"--attempt-timeout", "500ms", "--deadline",         "1s",
                                          "--saga-deadline",   "2s",    "--initial-backoff",  "1ms",
                                          "--max-backoff",     "10ms",  "--breaker-failures", "1000"};
    auto with = [&](std::vector<std::string> rest) {
        std::vector<std::string> args{"--hosts", hosts, "--output", "json"};
        args.insert(args.end(), timing.begin(), timing.end());
        args.insert(args.end(), rest.begin(), rest.end());
        return cli(args);
    };
    std::vector<std::string> ensure{"ensure"};
    for (int i = 1; i <= 8; ++i) ensure.push_back("open-" + std::to_string(i));
    const auto made = with(ensure);
    ASSERT_EQ(made.exit_status, 3) << made.out << made.err;
    for (const auto& line : testing::json_lines(made.out)) {
        EXPECT_EQ(line.at("next_step").as_string(), "run `cluster-client recover` once " + node.url() + " answers");
    }
    const auto listed = cli({"sagas"});
    ASSERT_NE(listed.out.find("8 open saga"), std::string::npos) << listed.out;

    // Now the node hangs on those groups: each recovery waits out its deadline. One after
    // another they would take 8 saga deadlines; together they take one, and the command's
    // own saga does not wait for them at all.
    node.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
        if (request.group.starts_with("open-")) return HookedNode::Override{.hang = true};
        return std::nullopt;
    });
    const auto started = std::chrono::steady_clock::now();
    const auto created = with({"create", "fresh-id"});
    const auto took = std::chrono::steady_clock::now() - started;
    // The exit code is this run's own: its saga succeeded. The earlier sagas that stay open
    // are each named on stderr, with what closes them.
    EXPECT_EQ(created.exit_status, 0) << created.err;
    for (int i = 1; i <= 8; ++i) {
        const auto warning = "warning: a saga an earlier run left open is still open: ensure open-" +
                             std::to_string(i) + " (incomplete); run `cluster-client recover` once " + node.url() +
                             " answers";
        EXPECT_NE(created.err.find(warning), std::string::npos) << created.err;
    }
    const auto lines = testing::json_lines(created.out);
    ASSERT_EQ(lines.size(), 1u) << created.out;
    EXPECT_EQ(lines[0].at("outcome").as_string(), "created");
    EXPECT_TRUE(lines[0].at("next_step").is_null());
    EXPECT_LT(lines[0].at("duration_ms").to_number<double>(), 1000.0 * testing::time_scale())
        << "the command's saga waited for the recovery of other groups";
    // One saga deadline (2 s) and a margin; eight in a row take 8 s or more.
    EXPECT_LT(took, testing::scaled(std::chrono::milliseconds(5s)));
    EXPECT_TRUE(cluster.has(0, "fresh-id") && cluster.has(1, "fresh-id") && node.has("fresh-id"));
}

}  // namespace
}  // namespace cluster_client
