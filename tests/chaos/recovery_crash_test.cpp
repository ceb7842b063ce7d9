// SPDX-License-Identifier: MIT
// I4 for recovery itself: `recover` killed after each of its log commits in turn, then run
// again, until nothing is left open. Every group must end all-or-none (I1), as it was before
// its saga, and never lose a copy that was there before nor gain one where there was none
// (I3). The client is the real cluster-client process; the nodes live in this process.
#include <gtest/gtest.h>

#include "dead_port.hpp"
#include "hooked_node.hpp"
#include "local_cluster.hpp"
#include "program.hpp"
#include "test_directory.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::HookedNode;
using testing::ProgramOptions;
using testing::ProgramResult;

constexpr int crash_exit_status = 86;  // what the crash hook exits with
constexpr int group_count = 6;

class RecoveryCrash : public ::testing::Test {
protected:
    ProgramResult cli(std::vector<std::string> args, ProgramOptions options = {}) {
        options.env.emplace_back("HOSTS", std::nullopt);
        options.env.emplace_back("XDG_STATE_HOME", state_home_.path().string());
        options.env.emplace_back("XDG_CONFIG_HOME", state_home_.path().string());
        // Short, so that a node that refuses keeps a saga open quickly; stretched for the
        // sanitizer builds, where the nodes answer slowly.
        auto ms = [](std::chrono::milliseconds duration) {
            return std::to_string(testing::scaled(duration).count()) + "ms";
        };
        const std::vector<std::string> fast{"--attempts",    "2",       "--initial-backoff", "1ms",
                                            "--max-backoff", "5ms",     "--attempt-timeout", ms(100ms),
                                            "--deadline",    ms(300ms), "--saga-deadline",   ms(600ms)};
        args.insert(args.begin(), fast.begin(), fast.end());
        return testing::run_program(CLUSTER_CLIENT_EXE, args, options);
    }

    // Recovers with the crash hook after 1, 2, 3, ... commits, each run picking up where
    // the killed one stopped, until a run ends on its own; returns how many were killed.
    int recover_through_crashes(const std::string& hosts) {
        int crashed = 0;
        for (int commits = 1; commits < 200; ++commits) {
            ProgramOptions crash;
            crash.env.emplace_back("CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS", std::to_string(commits));
            const auto run = cli({"--hosts", hosts, "recover"}, crash);
            if (run.exit_status != crash_exit_status) {
                EXPECT_EQ(run.exit_status, 0) << run.out << run.err;
                break;
            }
            ++crashed;
        }
        const auto last = cli({"--hosts", hosts, "recover"});
        EXPECT_EQ(last.exit_status, 0) << last.out << last.err;
        EXPECT_NE(cli({"sagas"}).out.find("0 open saga"), std::string::npos);
        return crashed;
    }

    testing::TestDirectory state_home_{"recovery-crash"};
};

std::vector<std::string> ids() {
    std::vector<std::string> all;
    for (int i = 0; i < group_count; ++i) all.push_back("g" + std::to_string(i));
    return all;
}

// Creates left rollback_incomplete by a node that refuses to give our copies back; their
// recovery is killed at every commit.
TEST_F(RecoveryCrash, UndoingCreatesSurvivesKillsAtEveryCommit) {
    testing::LocalCluster cluster;
    HookedNode stubborn;
    stubborn.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
        if (request.method == HookedNode::Method::delete_) return HookedNode::Override{.status = 500};
        return std::nullopt;
    });
    cluster.put(1, "g0");  // a copy that is not ours: it must survive everything
    const auto hosts = cluster.url(0) + "," + cluster.url(1) + "," + cluster.url(2) + "," + stubborn.url() + "," +
                       testing::dead_node_url();
    auto args = std::vector<std::string>{"--hosts", hosts, "create"};
    for (const auto& id : ids()) args.push_back(id);
    const auto first = cli(args);
    ASSERT_EQ(first.exit_status, 3) << first.out << first.err;

    stubborn.set_hook({});
    const int crashed = recover_through_crashes(hosts);
    // The sagas are recovered together, so group commit may put several sagas' adoptions,
    // facts or ends in one commit; there are at least two: the adoptions, then the ends.
    EXPECT_GE(crashed, 2) << "a kill after each commit of the recovery";
    for (const auto& id : ids()) {
        const std::vector<int> expected = id == "g0" ? std::vector<int>{1} : std::vector<int>{};
        EXPECT_EQ(cluster.nodes_with(id), expected) << id;
        EXPECT_FALSE(stubborn.has(id)) << id;
    }
}

// Deletes left rollback_incomplete by a node that refuses to take the group back; their
// recovery (restoring where they deleted) is killed at every commit.
TEST_F(RecoveryCrash, RestoringDeletesSurvivesKillsAtEveryCommit) {
    testing::LocalCluster cluster;
    HookedNode stubborn;
    for (const auto& id : ids()) {
        for (int node = 0; node < 3; ++node) {
            if (!(id == "g0" && node == 2)) cluster.put(node, id);  // g0 was never on node 2
        }
        stubborn.put(id);
    }
    stubborn.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<HookedNode::Override> {
        if (request.method == HookedNode::Method::post) return HookedNode::Override{.status = 500};
        return std::nullopt;
    });
    const auto hosts = cluster.url(0) + "," + cluster.url(1) + "," + cluster.url(2) + "," + stubborn.url() + "," +
                       testing::dead_node_url();
    auto args = std::vector<std::string>{"--hosts", hosts, "delete"};
    for (const auto& id : ids()) args.push_back(id);
    const auto first = cli(args);
    ASSERT_EQ(first.exit_status, 3) << first.out << first.err;

    stubborn.set_hook({});
    const int crashed = recover_through_crashes(hosts);
    EXPECT_GE(crashed, 2) << "a kill after each commit of the recovery";
    for (const auto& id : ids()) {
        const std::vector<int> expected = id == "g0" ? std::vector<int>{0, 1} : std::vector<int>{0, 1, 2};
        EXPECT_EQ(cluster.nodes_with(id), expected) << id;
        EXPECT_TRUE(stubborn.has(id)) << id;
    }
}

}  // namespace
}  // namespace cluster_client
