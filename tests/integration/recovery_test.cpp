// SPDX-License-Identifier: MIT
// Recovery never breaks the invariants: the exact sequences that once did (a node failing
// while recovery needs it, another writer between two of our requests, an unlogged fast
// write, a node answering 200 to a DELETE of nothing), against real nodes on loopback, a
// real SQLite saga log, and recover() in a second client as after a crash.
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "dead_port.hpp"
#include "hooked_node.hpp"
#include "local_cluster.hpp"
#include "test_directory.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::HookedNode;
using Method = HookedNode::Method;
using Override = HookedNode::Override;

class Recovery : public ::testing::Test {
protected:
    ClientOptions options(std::vector<std::string> hosts) const {
        ClientOptions o{.hosts = std::move(hosts)};
        o.retry.attempt_timeout = 200ms;
        o.retry.deadline = 1s;
        o.retry.saga_deadline = 2s;
        o.retry.initial_backoff = 1ms;
        o.retry.max_backoff = 20ms;
        o.lock_wait = 0ms;
        o.saga_log.state_dir = state_dir_.path().string();
        return o;
    }

    // One saga in a client of its own, which then goes away as a killed one would.
    static SagaReport run(const ClientOptions& o, Operation operation, const std::string& group) {
        boost::asio::io_context io;
        ClusterClient client(io.get_executor(), o);
        auto report = boost::asio::co_spawn(io, client.run(operation, group), boost::asio::use_future);
        io.run();
        return report.get();
    }

    // recover() in a new client, as `cluster-client recover` after a crash.
    static std::vector<SagaReport> recover(const ClientOptions& o) {
        boost::asio::io_context io;
        ClusterClient client(io.get_executor(), o);
        auto reports = boost::asio::co_spawn(io, client.recover(), boost::asio::use_future);
        io.run();
        return reports.get();
    }

    testing::TestDirectory state_dir_{"recovery"};
};

std::optional<Override> fail(int status = 500) {
    return Override{.status = status};
}

// B1: a forward delete recovered by a client whose delete mode is rollback, while the node
// it deleted on fails every request: it stays forward (the mode it was started with), never
// puts back what it deleted, and never closes with the group on some nodes only.
TEST_F(Recovery, DeleteDrivenForwardKeepsANodeThatFailsItsRead) {
    HookedNode n0, n1, n2;
    for (auto* node : {&n0, &n1, &n2}) node->put("g");
    n2.set_hook([](const HookedNode::Request&, HookedNode&) { return fail(); });
    auto forward = options({n0.url(), n1.url(), n2.url()});
    forward.delete_mode = DeleteMode::forward;
    const auto first = run(forward, Operation::delete_, "g");
    ASSERT_EQ(first.outcome, SagaOutcome::incomplete);
    ASSERT_FALSE(n0.has("g"));
    ASSERT_FALSE(n1.has("g"));

    // Recovery by a client in the default delete mode (rollback) finds node 0 failing now:
    // the delete went forward, so it stays forward. It never restores what it deleted, and
    // never closes with the group on node 2 only.
    n0.set_hook([](const HookedNode::Request&, HookedNode&) { return fail(); });
    const auto o = options({n0.url(), n1.url(), n2.url()});
    ASSERT_EQ(o.delete_mode, DeleteMode::rollback);
    auto reports = recover(o);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, SagaOutcome::incomplete);
    EXPECT_FALSE(n0.has("g") || n1.has("g"));
    EXPECT_TRUE(n2.has("g"));

    // Once the nodes answer, the next recovery finishes the delete.
    n0.set_hook({});
    n2.set_hook({});
    reports = recover(o);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, SagaOutcome::deleted);
    EXPECT_FALSE(n0.has("g") || n1.has("g") || n2.has("g"));
    EXPECT_TRUE(recover(o).empty());
}

// B2: another writer creates the group between our read and our POST. The clean 400 and the
// read that follows record present_before; recovery must not DELETE it on the strength of
// the earlier absent_before.
TEST_F(Recovery, AnotherWritersCopyFoundMidSagaIsNeverDeletedByRecovery) {
    HookedNode n0, n1;
    n0.set_hook([](const HookedNode::Request& request, HookedNode& node) -> std::optional<Override> {
        if (request.method == Method::post) node.put(request.group);  // the other writer wins the race
        return std::nullopt;
    });
    // Node 1 takes our copy but refuses to give it back: the saga ends rollback_incomplete.
    n1.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<Override> {
        if (request.method == Method::delete_) return fail();
        return std::nullopt;
    });
    const auto o = options({n0.url(), n1.url(), testing::dead_node_url()});
    const auto first = run(o, Operation::create, "g");
    ASSERT_EQ(first.outcome, SagaOutcome::rollback_incomplete);
    ASSERT_EQ(first.hosts[0].state, HostState::already_present);

    n0.set_hook({});
    n1.set_hook({});
    const auto reports = recover(o);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, SagaOutcome::rolled_back);
    EXPECT_TRUE(n0.has("g")) << "recovery deleted another writer's group";
    EXPECT_EQ(n0.count(Method::delete_, "g"), 0);
    EXPECT_FALSE(n1.has("g"));
}

// B2's mirror: another writer deletes the group between our read and our DELETE; recovery
// must not re-create it on the strength of the earlier present_before.
TEST_F(Recovery, AnotherWritersDeletionFoundMidSagaIsNeverUndoneByRecovery) {
    HookedNode n0, n1;
    for (auto* node : {&n0, &n1}) node->put("g");
    n0.set_hook([](const HookedNode::Request& request, HookedNode& node) -> std::optional<Override> {
        if (request.method == Method::delete_) node.erase(request.group);  // the other writer first
        return std::nullopt;
    });
    // Node 1 lets us delete but refuses to take the group back: rollback_incomplete.
    n1.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<Override> {
        if (request.method == Method::post) return fail();
        return std::nullopt;
    });
    const auto o = options({n0.url(), n1.url(), testing::dead_node_url()});
    const auto first = run(o, Operation::delete_, "g");
    ASSERT_EQ(first.outcome, SagaOutcome::rollback_incomplete);
    ASSERT_EQ(first.hosts[0].state, HostState::already_absent);

    n0.set_hook({});
    n1.set_hook({});
    const auto reports = recover(o);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, SagaOutcome::rolled_back);
    EXPECT_FALSE(n0.has("g")) << "recovery re-created a group another writer deleted";
    EXPECT_EQ(n0.count(Method::post, "g"), 0);
    EXPECT_TRUE(n1.has("g"));
}

// B3: fast ownership. A POST that applied but answered 500, whose node then cannot be read
// or undone, must be undone by recovery: the saga recorded that it was about to write there.
TEST_F(Recovery, FastCreateUndoesAnAmbiguousPostItCouldNotResolve) {
    HookedNode n0;
    n0.set_hook([](const HookedNode::Request& request, HookedNode&) -> std::optional<Override> {
        if (request.method == Method::post) return Override{.status = 500, .apply = true};
        return fail();  // every read and every DELETE
    });
    auto o = options({n0.url(), testing::dead_node_url()});
    o.ownership = Ownership::fast;
    const auto first = run(o, Operation::create, "g");
    ASSERT_EQ(first.outcome, SagaOutcome::rollback_incomplete);
    ASSERT_TRUE(n0.has("g"));

    n0.set_hook({});
    const auto reports = recover(o);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].outcome, SagaOutcome::rolled_back);
    EXPECT_FALSE(n0.has("g")) << "recovery closed the saga with our copy still on node 0";
}

// B4: fast ownership no longer skips the read before a delete. A node that answers 200 to
// a DELETE of a missing group would otherwise make the rollback create the group there.
TEST_F(Recovery, FastDeleteRollbackNeverCreatesWhereTheGroupNeverWas) {
    reference_node::NodeClusterOptions cluster_options;
    cluster_options.nodes = 3;
    cluster_options.delete_missing_status = 200;
    testing::LocalCluster cluster(cluster_options);
    cluster.put(0, "g");
    cluster.put(1, "g");
    auto hosts = cluster.urls();
    hosts.push_back(testing::dead_node_url());
    auto o = options(hosts);
    o.ownership = Ownership::fast;
    const auto report = run(o, Operation::delete_, "g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(report.hosts[2].state, HostState::already_absent);
    EXPECT_EQ(cluster.nodes_with("g"), (std::vector<int>{0, 1}));
}

// Compensation runs until the saga deadline, not for max_attempts: a node that refuses the
// undo for a while, then takes it, ends rolled_back instead of rollback_incomplete.
TEST_F(Recovery, CompensationOutlastsMaxAttempts) {
    HookedNode n0;
    auto refusals = std::make_shared<std::atomic<int>>(0);
    n0.set_hook([refusals](const HookedNode::Request& request, HookedNode&) -> std::optional<Override> {
        if (request.method == Method::delete_ && refusals->fetch_add(1) < 12) return fail();
        return std::nullopt;
    });
    auto o = options({n0.url(), testing::dead_node_url()});
    o.retry.max_attempts = 3;
    o.retry.saga_deadline = 5s;
    const auto report = run(o, Operation::create, "g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_FALSE(n0.has("g"));
    EXPECT_GT(n0.count(Method::delete_, "g"), 3);
}

}  // namespace
}  // namespace cluster_client
