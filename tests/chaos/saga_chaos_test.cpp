// SPDX-License-Identifier: MIT
// Thousands of sagas against reference nodes that fail on purpose: 500 before and after
// applying, hangs before and after applying, resets. After every saga the nodes' real state
// must match what the saga reported (I2), be all-or-none unless the saga says something is
// left open (I1), and never lose a copy that was there before nor gain one a rollback
// invented (I3). Seeds that ever found a bug stay in the list.
#include <random>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "local_cluster.hpp"
#include "presence.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;

constexpr int node_count = 5;

reference_node::FaultOptions fault_mix(std::uint64_t seed) {
    reference_node::FaultOptions faults;
    faults.p_500_before = 0.05;
    faults.p_500_after = 0.05;
    faults.p_hang_before = 0.02;
    faults.p_hang_after = 0.02;
    faults.p_reset = 0.03;
    faults.seed = seed;
    return faults;
}

ClientOptions chaos_client_options(const std::vector<std::string>& hosts) {
    ClientOptions options{.hosts = hosts};
    options.retry.attempt_timeout = testing::scaled(40ms);  // a hung request costs little
    options.retry.deadline = 3s;
    options.retry.max_attempts = 6;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 8ms;
    return options;
}

struct Tally {
    int ok = 0;
    int failed_cleanly = 0;
    int left_open = 0;
    int violations = 0;
};

// Checks one finished saga against the nodes' state; returns a description of what broke.
std::string check_saga(const LocalCluster& cluster, const SagaReport& report, const std::vector<bool>& before) {
    std::string broken;
    std::size_t holders = 0;
    for (int i = 0; i < node_count; ++i) {
        const auto index = static_cast<std::size_t>(i);
        const bool has = cluster.has(i, report.group);
        holders += has ? 1 : 0;
        const auto expected = testing::reported_presence(report.hosts[index].state, before[index]);
        if (expected && *expected != has) {
            broken += " I2: node " + std::to_string(i) + " reported " +
                      std::string(to_string(report.hosts[index].state)) + " but " + (has ? "has" : "lacks") +
                      " the group;";
        }
    }
    const bool on_all = holders == node_count;
    const bool on_none = holders == 0;
    switch (report.outcome) {
        case SagaOutcome::created:
        case SagaOutcome::already_exists:
            if (!on_all) broken += " I1: ended " + std::string(to_string(report.outcome)) + " but not on all nodes;";
            break;
        case SagaOutcome::deleted:
        case SagaOutcome::not_found:
            if (!on_none) broken += " I1: ended " + std::string(to_string(report.outcome)) + " but still on a node;";
            break;
        case SagaOutcome::rolled_back:
        case SagaOutcome::conflict:
            for (int i = 0; i < node_count; ++i) {
                if (cluster.has(i, report.group) != before[static_cast<std::size_t>(i)]) {
                    broken += " I1/I3: node " + std::to_string(i) + " changed by a saga that rolled back;";
                }
            }
            break;
        default: break;
    }
    return broken;
}

class SagaChaos : public ::testing::TestWithParam<std::uint64_t> {};

// Runs `count` sagas of `operation`, `concurrency` at a time; `prepare(i, id)` seeds the
// nodes before saga i and returns which nodes held the group before it.
template <class Prepare>
Tally run_sagas(LocalCluster& cluster, Operation operation, int count, int concurrency, const std::string& prefix,
                Prepare prepare) {
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), chaos_client_options(cluster.urls()));
    Tally tally;
    int next = 0;
    auto worker = [&]() -> boost::asio::awaitable<void> {
        while (next < count) {
            const int index = next++;
            const auto id = prefix + std::to_string(index);
            const auto before = prepare(index, id);
            const auto report = co_await client.run(operation, id);
            const auto broken = check_saga(cluster, report, before);
            if (!broken.empty()) {
                ++tally.violations;
                ADD_FAILURE() << to_string(operation) << ' ' << id << " -> " << to_string(report.outcome) << ':'
                              << broken;
            }
            if (report.ok()) {
                ++tally.ok;
            } else if (report.left_open()) {
                ++tally.left_open;
            } else {
                ++tally.failed_cleanly;
            }
        }
    };
    for (int i = 0; i < concurrency; ++i) boost::asio::co_spawn(io, worker(), boost::asio::detached);
    io.run();
    return tally;
}

TEST_P(SagaChaos, CreatesAndDeletesKeepTheInvariants) {
    reference_node::NodeClusterOptions options;
    options.nodes = node_count;
    options.faults = fault_mix(GetParam());
    LocalCluster cluster(options);
    std::mt19937_64 random(GetParam());

    // Creates: one group in five already has copies on some nodes (a create must never
    // delete them, and a failed create must leave exactly them).
    const auto creates = run_sagas(cluster, Operation::create, 1000, 64, "c", [&](int, const std::string& id) {
        std::vector<bool> before(node_count, false);
        if (random() % 5 == 0) {
            const auto copies = 1 + random() % 2;
            for (std::uint64_t c = 0; c < copies; ++c) {
                const auto node = static_cast<int>(random() % node_count);
                cluster.put(node, id);
                before[static_cast<std::size_t>(node)] = true;
            }
        }
        return before;
    });
    // Deletes: groups on every node, or on some.
    const auto deletes = run_sagas(cluster, Operation::delete_, 500, 64, "d", [&](int, const std::string& id) {
        std::vector<bool> before(node_count, false);
        const bool partial = random() % 5 == 0;
        for (int node = 0; node < node_count; ++node) {
            if (partial && random() % 2 == 0) continue;
            cluster.put(node, id);
            before[static_cast<std::size_t>(node)] = true;
        }
        return before;
    });

    for (const auto& [name, tally] : {std::pair{"create", creates}, std::pair{"delete", deletes}}) {
        std::cout << name << ": ok " << tally.ok << ", failed cleanly " << tally.failed_cleanly << ", left open "
                  << tally.left_open << ", violations " << tally.violations << '\n';
        EXPECT_EQ(tally.violations, 0) << name;
        EXPECT_GT(tally.ok, 0) << name << ": faults this mild must let most sagas through";
    }
}

// Seeds 1..2 were the first chosen; add every seed that ever found a bug.
INSTANTIATE_TEST_SUITE_P(Seeds, SagaChaos, ::testing::Values(1u, 2u));

TEST(SagaChaosOneGroup, ConcurrentSagasOnOneGroupNeverInterleave) {
    reference_node::NodeClusterOptions options;
    options.nodes = node_count;
    options.faults = fault_mix(99);
    LocalCluster cluster(options);
    boost::asio::io_context io;
    auto client_options = chaos_client_options(cluster.urls());
    client_options.lock_wait = 60s;
    ClusterClient client(io.get_executor(), client_options);

    int violations = 0;
    int finished = 0;
    auto saga = [&](Operation operation) -> boost::asio::awaitable<void> {
        const auto report = co_await client.run(operation, "shared");
        ++finished;
        // The lock hands the group to the next saga only after this one ended, so the
        // state now is this saga's doing alone.
        int holders = 0;
        for (int i = 0; i < node_count; ++i) holders += cluster.has(i, "shared") ? 1 : 0;
        const bool consistent = report.left_open() || holders == 0 || holders == node_count;
        if (!consistent || (report.outcome == SagaOutcome::created && holders != node_count) ||
            (report.outcome == SagaOutcome::deleted && holders != 0)) {
            ++violations;
            ADD_FAILURE() << to_string(operation) << " ended " << to_string(report.outcome) << " with " << holders
                          << " holders";
        }
        if (report.outcome == SagaOutcome::rollback_incomplete) {
            // Leave a clean slate for the next saga, as recovery would.
            for (int i = 0; i < node_count; ++i) cluster.erase(i, "shared");
        }
    };
    for (int i = 0; i < 200; ++i) {
        boost::asio::co_spawn(io, saga(i % 2 == 0 ? Operation::create : Operation::delete_), boost::asio::detached);
    }
    io.run();
    EXPECT_EQ(finished, 200);
    EXPECT_EQ(violations, 0);
}

}  // namespace
}  // namespace cluster_client
