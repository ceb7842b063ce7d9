// SPDX-License-Identifier: MIT
// ClusterClient against real reference nodes on loopback: the saga outcomes of docs/design.md
// section 4, checked against the nodes' real state.
#include <filesystem>
#include <functional>
#include <future>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>

#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "test_directory.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;

ClientOptions options_for(const std::vector<std::string>& hosts) {
    ClientOptions options{.hosts = hosts};
    options.retry.attempt_timeout = 200ms;
    options.retry.deadline = 3s;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 10ms;
    return options;
}

std::vector<int> all_nodes(int count) {
    std::vector<int> nodes(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) nodes[static_cast<std::size_t>(i)] = i;
    return nodes;
}

HostState state_of(const SagaReport& report, const std::string& host) {
    for (const auto& entry : report.hosts) {
        if (entry.host == host) return entry.state;
    }
    return HostState::unknown;
}

TEST(ClusterClient, CreatesVerifiesAndDeletesOnEveryNode) {
    LocalCluster cluster;
    BlockingClusterClient client(options_for(cluster.urls()));

    const auto created = client.create_group("team-a");
    EXPECT_EQ(created.outcome, SagaOutcome::created);
    EXPECT_TRUE(created.ok());
    EXPECT_EQ(cluster.nodes_with("team-a"), all_nodes(3));
    for (const auto& host : created.hosts) EXPECT_EQ(host.state, HostState::created) << host.host;

    EXPECT_EQ(client.verify_group("team-a").outcome, SagaOutcome::present);

    const auto deleted = client.delete_group("team-a");
    EXPECT_EQ(deleted.outcome, SagaOutcome::deleted);
    EXPECT_TRUE(cluster.nodes_with("team-a").empty());
    EXPECT_EQ(client.verify_group("team-a").outcome, SagaOutcome::absent);
}

TEST(ClusterClient, StrictCreateTakesThreeRequestsPerNode) {
    LocalCluster cluster;
    BlockingClusterClient client(options_for(cluster.urls()));
    ASSERT_EQ(client.create_group("g").outcome, SagaOutcome::created);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 3u) << "precheck, create, verify on node " << i;
}

TEST(ClusterClient, FastCreateSkipsThePrecheck) {
    LocalCluster cluster;
    auto options = options_for(cluster.urls());
    options.ownership = Ownership::fast;
    BlockingClusterClient client(options);
    ASSERT_EQ(client.create_group("g").outcome, SagaOutcome::created);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 2u) << "create, verify on node " << i;
}

TEST(ClusterClient, CreateOfAGroupOnEveryNodeIsAlreadyExists) {
    LocalCluster cluster;
    for (int i = 0; i < 3; ++i) cluster.put(i, "g");
    BlockingClusterClient client(options_for(cluster.urls()));
    const auto report = client.create_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::already_exists);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(cluster.nodes_with("g"), all_nodes(3));
}

TEST(ClusterClient, CreateConflictUndoesOnlyItsOwnWrites) {
    LocalCluster cluster;
    cluster.put(1, "g");
    BlockingClusterClient client(options_for(cluster.urls()));
    const auto report = client.create_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::conflict);
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(cluster.nodes_with("g"), std::vector<int>{1}) << "the copy that was there before stays, alone";
    EXPECT_EQ(state_of(report, cluster.url(1)), HostState::already_present);
    EXPECT_EQ(state_of(report, cluster.url(0)), HostState::rolled_back);
}

TEST(ClusterClient, CreateWithADeadNodeRollsBackEverywhere) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    const auto dead = testing::dead_node_url();
    hosts.push_back(dead);
    BlockingClusterClient client(options_for(hosts));
    const auto report = client.create_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_TRUE(cluster.nodes_with("g").empty());
    EXPECT_EQ(state_of(report, dead), HostState::failed);
    EXPECT_EQ(report.failed_hosts().size(), 4u);
}

TEST(ClusterClient, DeleteWithADeadNodeRestoresEveryCopy) {
    LocalCluster cluster;
    for (int i = 0; i < 3; ++i) cluster.put(i, "g");
    auto hosts = cluster.urls();
    hosts.push_back(testing::dead_node_url());
    BlockingClusterClient client(options_for(hosts));
    const auto report = client.delete_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(cluster.nodes_with("g"), all_nodes(3));
    EXPECT_EQ(state_of(report, cluster.url(0)), HostState::restored);
}

TEST(ClusterClient, DeleteRollbackNeverCreatesWhereThereWasNone) {
    LocalCluster cluster;
    cluster.put(0, "g");  // on node 0 only
    auto hosts = cluster.urls();
    hosts.push_back(testing::dead_node_url());
    BlockingClusterClient client(options_for(hosts));
    const auto report = client.delete_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(cluster.nodes_with("g"), std::vector<int>{0});
}

TEST(ClusterClient, ForwardDeleteKeepsWhatItDeleted) {
    LocalCluster cluster;
    for (int i = 0; i < 3; ++i) cluster.put(i, "g");
    auto hosts = cluster.urls();
    const auto dead = testing::dead_node_url();
    hosts.push_back(dead);
    auto options = options_for(hosts);
    options.delete_mode = DeleteMode::forward;
    BlockingClusterClient client(options);
    const auto report = client.delete_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::incomplete);
    EXPECT_TRUE(report.left_open());
    EXPECT_TRUE(cluster.nodes_with("g").empty());
    EXPECT_EQ(report.failed_hosts(), std::vector<std::string>{dead});
}

TEST(ClusterClient, DeleteOfAMissingGroupIsNotFound) {
    LocalCluster cluster;
    BlockingClusterClient client(options_for(cluster.urls()));
    const auto report = client.delete_group("nobody");
    EXPECT_EQ(report.outcome, SagaOutcome::not_found);
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(report.failed_hosts().empty());
}

TEST(ClusterClient, EnsureFillsInTheMissingNodes) {
    LocalCluster cluster;
    cluster.put(2, "g");
    BlockingClusterClient client(options_for(cluster.urls()));
    const auto report = client.ensure_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::created);
    EXPECT_EQ(cluster.nodes_with("g"), all_nodes(3));
    EXPECT_EQ(state_of(report, cluster.url(2)), HostState::already_present);
}

TEST(ClusterClient, EnsureWithADeadNodeStaysIncompleteWithoutRollback) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    hosts.push_back(testing::dead_node_url());
    BlockingClusterClient client(options_for(hosts));
    const auto report = client.ensure_group("g");
    EXPECT_EQ(report.outcome, SagaOutcome::incomplete);
    EXPECT_EQ(cluster.nodes_with("g"), all_nodes(3));
}

// async_ensure_group with each kind of completion token: it creates the group where it is
// missing, leaves the copies that were there, is already_exists when every node has it, and
// delivers a bad id through the token before any request.
TEST(ClusterClient, AsyncEnsureGroupCreatesWhereMissingWithAnyCompletionToken) {
    LocalCluster cluster;
    cluster.put(1, "some");
    for (int i = 0; i < 3; ++i) cluster.put(i, "every");
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options_for(cluster.urls()));

    auto some = client.async_ensure_group("some", boost::asio::use_future);
    std::optional<SagaReport> none;
    client.async_ensure_group("none", [&](std::exception_ptr error, SagaReport report) {
        EXPECT_FALSE(error);
        none = std::move(report);
    });
    std::optional<SagaReport> every;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            every = co_await client.async_ensure_group("every", boost::asio::use_awaitable);
        },
        [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);
        });
    auto bad = client.async_ensure_group("", boost::asio::use_future);
    io.run();

    const auto filled = some.get();
    EXPECT_EQ(filled.operation, Operation::ensure);
    EXPECT_EQ(filled.outcome, SagaOutcome::created);
    EXPECT_EQ(state_of(filled, cluster.url(1)), HostState::already_present);
    EXPECT_EQ(state_of(filled, cluster.url(0)), HostState::created);
    EXPECT_EQ(cluster.nodes_with("some"), all_nodes(3));

    ASSERT_TRUE(none.has_value());
    EXPECT_EQ(none->outcome, SagaOutcome::created);
    EXPECT_EQ(cluster.nodes_with("none"), all_nodes(3));

    ASSERT_TRUE(every.has_value());
    EXPECT_EQ(every->outcome, SagaOutcome::already_exists);
    EXPECT_TRUE(every->ok());
    for (const auto& host : every->hosts) EXPECT_EQ(host.state, HostState::already_present) << host.host;
    EXPECT_THROW(bad.get(), InvalidGroupId);
}

// hosts() gives each node's canonical URL, in the order given, however it was written; the
// reports name the nodes so, and verify_group_on_host takes either form.
TEST(ClusterClient, HostsAreTheCanonicalUrlsInTheOrderGiven) {
    LocalCluster cluster;
    const auto port = [&](int node) { return cluster.url(node).substr(cluster.url(node).rfind(':') + 1); };
    const std::vector<std::string> written{"HTTP://127.0.0.1:" + port(2) + "/", "127.0.0.1:" + port(0),
                                           "http://127.0.0.1:" + port(1)};
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options_for(written));
    const std::vector<std::string> canonical{cluster.url(2), cluster.url(0), cluster.url(1)};
    EXPECT_EQ(client.hosts(), canonical);

    auto created = client.async_create_group("named", boost::asio::use_future);
    bool as_written = false;
    bool as_canonical = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            const auto report = co_await client.async_verify_group("named", boost::asio::use_awaitable);
            EXPECT_EQ(report.outcome, SagaOutcome::present);
            as_written = co_await client.verify_group_on_host(written[0], "named");
            as_canonical = co_await client.verify_group_on_host(client.hosts()[1], "named");
        },
        [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);
        });
    io.run();
    const auto report = created.get();
    ASSERT_EQ(report.hosts.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(report.hosts[i].host, canonical[i]) << i;
    EXPECT_TRUE(as_written);
    EXPECT_TRUE(as_canonical);
    EXPECT_EQ(cluster.nodes_with("named"), all_nodes(3));
}

TEST(ClusterClient, IdsWithReservedAndNonAsciiCharactersRoundTrip) {
    LocalCluster cluster;
    BlockingClusterClient client(options_for(cluster.urls()));
    for (const std::string id : {"a/b", "what?", "#hash", "100%", "with space", "grüppe", "\xF0\x9F\x98\x80"}) {
        EXPECT_EQ(client.create_group(id).outcome, SagaOutcome::created) << id;
        EXPECT_EQ(cluster.nodes_with(id), all_nodes(3)) << id;
        EXPECT_EQ(client.verify_group(id).outcome, SagaOutcome::present) << id;
        EXPECT_EQ(client.delete_group(id).outcome, SagaOutcome::deleted) << id;
        EXPECT_TRUE(cluster.nodes_with(id).empty()) << id;
    }
}

TEST(ClusterClient, InvalidIdIsRejectedBeforeAnyRequest) {
    LocalCluster cluster;
    BlockingClusterClient client(options_for(cluster.urls()));
    EXPECT_THROW(client.create_group(""), InvalidGroupId);
    EXPECT_THROW(client.create_group(std::string(256, 'x')), InvalidGroupId);
    EXPECT_THROW(client.delete_group("tab\there"), InvalidGroupId);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(cluster.requests(i), 0u);
}

TEST(ClusterClient, BadHostsAreAConfigError) {
    EXPECT_THROW(BlockingClusterClient(ClientOptions{.hosts = {"ftp://x"}}), ConfigError);
    EXPECT_THROW(BlockingClusterClient(ClientOptions{.hosts = {"http://a:1", "http://a:1"}}), ConfigError);
    EXPECT_THROW(BlockingClusterClient(ClientOptions{.hosts = {}}), ConfigError);
}

// Options that cannot work are refused before the saga log is opened: a client that fails to
// start leaves no state directory or log file behind, with hosts or without (recovery only).
TEST(ClusterClient, BadOptionsLeaveNoSagaLogBehind) {
    const testing::TestDirectory state_dir("bad-options-state");
    const auto with = [&](const std::function<void(ClientOptions&)>& change) {
        ClientOptions options{.hosts = {"http://127.0.0.1:1"}};
        options.saga_log.state_dir = state_dir.path().string();
        change(options);
        return options;
    };
    const std::vector<std::pair<std::string, std::function<void(ClientOptions&)>>> cases{
        {"a host that does not parse", [](ClientOptions& o) { o.hosts = {"ftp://x"}; }},
        {"one node named twice",
         [](ClientOptions& o) {
             o.hosts = {"http://a:1", "http://a:1"};
         }},
        {"a blank host", [](ClientOptions& o) { o.hosts = {" "}; }},
        {"a CA file that does not load", [](ClientOptions& o) { o.http.ca_file = "/nonexistent/ca.pem"; }},
        {"no hosts and a CA file that does not load",
         [](ClientOptions& o) {
             o.hosts.clear();
             o.http.ca_file = "/nonexistent/ca.pem";
         }},
        {"unusable retry bounds", [](ClientOptions& o) { o.retry.max_attempts = 0; }},
        {"no hosts and unusable HTTP limits",
         [](ClientOptions& o) {
             o.hosts.clear();
             o.http.max_body_bytes = 0;
         }},
    };
    boost::asio::io_context io;
    for (const auto& [what, change] : cases) {
        EXPECT_THROW(ClusterClient(io.get_executor(), with(change)), ConfigError) << what;
        EXPECT_FALSE(std::filesystem::exists(state_dir.path())) << what << " left the state directory behind";
    }

    // Without hosts and without a log there is nothing a client can do.
    try {
        ClusterClient client(io.get_executor(), ClientOptions{});
        ADD_FAILURE() << "a client with no hosts and no log was made";
    } catch (const ConfigError& error) {
        EXPECT_STREQ(error.what(), "the host list is empty: give at least one host");
    }

    // The same options, once they work, do open the log there: with hosts, or to recover.
    for (const auto& hosts : {std::vector<std::string>{"http://127.0.0.1:1"}, std::vector<std::string>{}}) {
        std::filesystem::remove_all(state_dir.path());
        {
            ClusterClient client(io.get_executor(), with([&](ClientOptions& o) { o.hosts = hosts; }));
            EXPECT_EQ(client.hosts().size(), hosts.size());
        }
        EXPECT_TRUE(std::filesystem::exists(state_dir.path() / "sagas.db"));
    }
}

TEST(ClusterClient, SeedApiReturnsBoolsAndFailedHosts) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options_for(hosts));
    bool created = false;
    bool on_host = false;
    std::vector<std::string> failed{"not yet"};
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            created = co_await client.create_group("seed");
            on_host = co_await client.verify_group_on_host(cluster.url(1), "seed");
            failed = co_await client.delete_group("seed");
        },
        [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);
        });
    io.run();
    EXPECT_TRUE(created);
    EXPECT_TRUE(on_host);
    EXPECT_TRUE(failed.empty());
    EXPECT_TRUE(cluster.nodes_with("seed").empty());
}

TEST(ClusterClient, SeedExceptionsForFailedRequestsAndSagas) {
    LocalCluster cluster;
    auto hosts = cluster.urls();
    const auto dead = testing::dead_node_url();
    hosts.push_back(dead);
    auto options = options_for(hosts);
    options.retry.max_attempts = 2;
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options);
    auto verify = boost::asio::co_spawn(io, client.verify_group_on_host(dead, "g"), boost::asio::use_future);
    auto report = client.async_create_group("g", boost::asio::use_future);
    io.run();
    EXPECT_THROW(verify.get(), RequestError);
    const auto created = report.get();
    EXPECT_EQ(created.outcome, SagaOutcome::rolled_back);
    EXPECT_THROW(created.throw_if_failed(), GroupOperationError);
}

TEST(ClusterClient, AcceptsFutureAndCallbackTokens) {
    LocalCluster cluster;
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options_for(cluster.urls()));
    auto future = client.async_create_group("tokens", boost::asio::use_future);
    SagaOutcome from_callback = SagaOutcome::unknown;
    client.async_verify_group("tokens", [&](std::exception_ptr error, SagaReport report) {
        ASSERT_FALSE(error);
        from_callback = report.outcome;
    });
    io.run();
    EXPECT_EQ(future.get().outcome, SagaOutcome::created);
    // Same group: the verify waited for the create to end (one saga per group).
    EXPECT_EQ(from_callback, SagaOutcome::present);
}

TEST(ClusterClient, SecondSagaOnAGroupEndsBusyWhenItMayNotWait) {
    reference_node::NodeClusterOptions node_options;
    node_options.faults.latency = 100ms;
    LocalCluster cluster(node_options);
    auto options = options_for(cluster.urls());
    options.lock_wait = 0ms;
    boost::asio::io_context io;
    ClusterClient client(io.get_executor(), options);
    auto first = client.async_create_group("contended", boost::asio::use_future);
    auto second = client.async_delete_group("contended", boost::asio::use_future);
    io.run();
    EXPECT_EQ(first.get().outcome, SagaOutcome::created);
    EXPECT_EQ(second.get().outcome, SagaOutcome::busy);
    EXPECT_EQ(cluster.nodes_with("contended"), all_nodes(3));
}

TEST(ClusterClient, AmbiguousAnswersAreResolvedByReading) {
    reference_node::NodeClusterOptions node_options;
    node_options.faults.p_500_after = 0.5;  // applied, then 500: the client must read to know
    node_options.faults.seed = 11;
    LocalCluster cluster(node_options);
    BlockingClusterClient client(options_for(cluster.urls()));
    for (int round = 0; round < 20; ++round) {
        const auto id = "ambiguous-" + std::to_string(round);
        const auto created = client.create_group(id);
        const auto holders = cluster.nodes_with(id);
        if (created.ok()) {
            EXPECT_EQ(holders, all_nodes(3)) << id;
        } else {
            EXPECT_TRUE(holders.empty()) << id << " ended " << to_string(created.outcome);
        }
    }
}

TEST(ClusterClient, HangAfterApplyingIsResolvedAfterTheTimeout) {
    reference_node::NodeClusterOptions node_options;
    node_options.faults.p_hang_after = 1.0;
    node_options.faults.faulty_nodes = {0};
    LocalCluster cluster(node_options);
    auto options = options_for(cluster.urls());
    options.retry.attempt_timeout = 50ms;
    options.retry.deadline = 500ms;
    BlockingClusterClient client(options);
    const auto report = client.create_group("hung");
    // Node 0 never answers, not even its precheck reads: nothing is written there, and the
    // saga undoes its writes on the others.
    EXPECT_EQ(report.outcome, SagaOutcome::rolled_back);
    EXPECT_EQ(state_of(report, cluster.url(0)), HostState::failed);
    EXPECT_TRUE(cluster.nodes_with("hung").empty());
}

}  // namespace
}  // namespace cluster_client
