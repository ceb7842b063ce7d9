// SPDX-License-Identifier: MIT
// The client-wide brakes and bounds of docs/design.md, I6 and I7 against real nodes on loopback:
// the circuit breaker, the retry budget, Retry-After, and one deadline over a whole saga.
#include <thread>

#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "node_api/encoding.hpp"
#include "scripted_server.hpp"
#include "time_scale.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;

ClientOptions quick(const std::vector<std::string>& hosts) {
    ClientOptions options{.hosts = hosts};
    options.retry.max_attempts = 3;
    options.retry.attempt_timeout = 200ms;
    options.retry.deadline = 3s;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 10ms;
    return options;
}

const HostReport& host_report(const SagaReport& report, std::size_t host) {
    return report.hosts.at(host);
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(CircuitBreaker, ADeadNodeOpensItAndLaterSagasFailThereAtOnce) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    hosts.push_back(testing::dead_node_url());
    auto options = quick(hosts);
    options.retry.breaker_failures = 3;
    options.retry.breaker_cooldown = 1h;
    BlockingClusterClient client(options);

    const auto first = client.create_group("g1");
    EXPECT_EQ(first.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(host_report(first, 3).attempts, 3) << "the breaker was closed: every attempt went out";

    for (const auto* id : {"g2", "g3"}) {
        const auto later = client.create_group(id);
        EXPECT_EQ(later.outcome, SagaOutcome::rolled_back);
        EXPECT_EQ(host_report(later, 3).attempts, 0) << "nothing is sent to a node whose breaker is open";
        EXPECT_TRUE(mentions(host_report(later, 3).last_error, "circuit open after 3 failed calls in a row"))
            << host_report(later, 3).last_error;
        EXPECT_EQ(host_report(later, 3).state, HostState::failed);
        EXPECT_TRUE(cluster.nodes_with(id).empty()) << id << ": rolled back on the live nodes";
    }
}

TEST(CircuitBreaker, AfterTheCooldownAProbeGoesOutAndAnAnswerClosesIt) {
    reference_node::NodeClusterOptions nodes;
    nodes.faults.p_reset = 1.0;
    nodes.faults.faulty_nodes = {2};
    LocalCluster cluster(nodes);
    auto options = quick(cluster.urls());
    options.retry.breaker_failures = 2;
    options.retry.breaker_cooldown = 300ms;
    BlockingClusterClient client(options);

    EXPECT_EQ(client.create_group("a").outcome, SagaOutcome::rolled_back);
    const auto skipped = client.create_group("b");
    EXPECT_EQ(host_report(skipped, 2).attempts, 0);

    std::this_thread::sleep_for(400ms);
    const auto probed = client.create_group("c");
    EXPECT_EQ(probed.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(host_report(probed, 2).attempts, 3) << "the probe's step, once let in, goes on under its retry policy";
    const auto reopened = client.create_group("c2");
    EXPECT_EQ(host_report(reopened, 2).attempts, 0) << "the failed probe opened the breaker again";

    cluster.set_faults({});
    std::this_thread::sleep_for(400ms);
    const auto healed = client.create_group("d");
    EXPECT_EQ(healed.outcome, SagaOutcome::created) << host_report(healed, 2).last_error;
    EXPECT_EQ(cluster.nodes_with("d").size(), 3u);
    for (const auto* id : {"a", "b", "c", "c2"}) EXPECT_TRUE(cluster.nodes_with(id).empty()) << id;
}

TEST(CircuitBreaker, CompensationGoesThroughAnOpenBreaker) {
    // Node 2 applies every request, then answers 500: forward steps there end `unknown`, and
    // the undo must still reach it although its breaker is open by then.
    reference_node::NodeClusterOptions nodes;
    nodes.faults.p_500_after = 1.0;
    nodes.faults.faulty_nodes = {2};
    LocalCluster cluster(nodes);
    auto options = quick(cluster.urls());
    options.ownership = Ownership::fast;
    options.retry.breaker_failures = 1;
    options.retry.breaker_cooldown = 1h;
    BlockingClusterClient client(options);

    const auto report = client.create_group("g");
    EXPECT_NE(report.outcome, SagaOutcome::created);
    EXPECT_GE(host_report(report, 2).attempts, 2) << "the POST, and the undo's DELETE through the open breaker";
    EXPECT_TRUE(cluster.nodes_with("g").empty()) << "the undo's DELETE applied on node 2 too";
}

TEST(RetryBudget, AnEmptyBudgetStopsRetriesAcrossSagas) {
    reference_node::NodeClusterOptions nodes;
    nodes.faults.p_500_before = 1.0;
    nodes.faults.faulty_nodes = {2};
    LocalCluster cluster(nodes);
    auto options = quick(cluster.urls());
    options.retry.max_attempts = 5;
    options.retry.budget_tokens = 2;
    options.retry.budget_refill = 0.001;  // the healthy nodes' answers earn back almost nothing here
    options.retry.breaker_failures = 1000;
    BlockingClusterClient client(options);

    const auto first = client.create_group("g1");
    EXPECT_EQ(first.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(host_report(first, 2).attempts, 3) << "the first attempt and the budget's two retries";
    EXPECT_TRUE(mentions(host_report(first, 2).last_error, "(retry budget exhausted)"))
        << host_report(first, 2).last_error;

    const auto second = client.create_group("g2");
    EXPECT_EQ(second.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(host_report(second, 2).attempts, 1) << "first attempts are never refused; retries are";
    EXPECT_EQ(cluster.requests(2), 4u) << "without the budget: 10 requests";
    for (const auto* id : {"g1", "g2"}) EXPECT_TRUE(cluster.nodes_with(id).empty()) << id;
}

TEST(RetryBudget, AnswersFromHealthyNodesEarnRetriesBack) {
    reference_node::NodeClusterOptions nodes;
    nodes.faults.p_500_before = 1.0;
    nodes.faults.faulty_nodes = {2};
    LocalCluster cluster(nodes);
    auto options = quick(cluster.urls());
    options.retry.max_attempts = 2;
    options.retry.budget_tokens = 1;
    options.retry.budget_refill = 0.5;
    options.retry.breaker_failures = 1000;
    BlockingClusterClient client(options);

    // In each saga nodes 0 and 1 answer at least six times (precheck, create, verify), which
    // earns back more than the one retry node 2 takes.
    for (const auto* id : {"g1", "g2", "g3"}) {
        const auto report = client.create_group(id);
        EXPECT_EQ(host_report(report, 2).attempts, 2) << id << ": " << host_report(report, 2).last_error;
    }
}

TEST(RetryAfter, IsHonouredBeforeTheNextAttempt) {
    const std::string id = "slow-down";
    testing::ScriptedServer server([&](int request) {
        if (request == 0) return testing::http_answer(429, "", "Retry-After: 1\r\n");
        if (request == 1) return testing::http_answer(201);
        return testing::http_answer(200, node_api::group_body(id));
    });
    auto options = quick({server.url()});
    options.ownership = Ownership::fast;
    BlockingClusterClient client(options);

    const auto report = client.create_group(id);
    EXPECT_EQ(report.outcome, SagaOutcome::created) << host_report(report, 0).last_error;
    EXPECT_GE(report.duration, 1000ms) << "the node asked for a second";
    EXPECT_EQ(server.requests(), 3);
}

TEST(RetryAfter, PastTheDeadlineEndsTheStepAtOnce) {
    testing::ScriptedServer server([](int) { return testing::http_answer(429, "", "Retry-After: 100\r\n"); });
    auto options = quick({server.url()});
    options.ownership = Ownership::fast;
    // The bound below is stretched on a slow build, so the deadline is too: waiting would
    // still end past it.
    options.retry.deadline = testing::scaled(3000ms);
    BlockingClusterClient client(options);

    const auto report = client.create_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_LT(report.duration, testing::scaled(1000ms))
        << "waiting 100 s could only end past the deadline (" << options.retry.deadline.count() << "ms)";
    EXPECT_TRUE(mentions(host_report(report, 0).last_error, "Retry-After passes the deadline"))
        << host_report(report, 0).last_error;
    EXPECT_EQ(server.requests(), 1);
}

TEST(SagaDeadline, BoundsTheForwardStepsAndTheCompensationTogether) {
    // Node 2 applies every request and never answers: the forward POST is ambiguous until
    // the step's deadline, and its undo hangs too. Both together end by the saga deadline.
    reference_node::NodeClusterOptions nodes;
    nodes.faults.p_hang_after = 1.0;
    nodes.faults.faulty_nodes = {2};
    LocalCluster cluster(nodes);
    auto options = quick(cluster.urls());
    options.ownership = Ownership::fast;
    options.retry.max_attempts = 100;
    // All stretched together on a slow build: an undo with a deadline of its own would end
    // about a step deadline after the forward step, past the saga deadline and its slack.
    options.retry.attempt_timeout = testing::scaled(300ms);
    options.retry.deadline = testing::scaled(1000ms);
    options.retry.saga_deadline = testing::scaled(1500ms);
    options.retry.breaker_failures = 1000;
    BlockingClusterClient client(options);

    const auto report = client.create_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::rollback_incomplete) << "node 2 never said what happened";
    EXPECT_GE(report.duration, options.retry.deadline) << "the forward step had its whole deadline";
    EXPECT_LT(report.duration, options.retry.saga_deadline + testing::scaled(250ms))
        << "the undo did not get a deadline of its own";
    EXPECT_FALSE(cluster.has(0, "g"));
    EXPECT_FALSE(cluster.has(1, "g"));
    cluster.stop();
}

TEST(SagaDeadline, MustLeaveTheCompensationTime) {
    auto options = quick({"127.0.0.1:1"});
    options.retry.deadline = 10s;
    options.retry.saga_deadline = 5s;
    try {
        BlockingClusterClient client(options);
        FAIL() << "a saga deadline shorter than a step's was accepted";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(mentions(e.what(), "saga_deadline must be at least deadline")) << e.what();
    }
}

}  // namespace
}  // namespace cluster_client
