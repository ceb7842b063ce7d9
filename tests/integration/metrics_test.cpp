// SPDX-License-Identifier: MIT
// A client's Prometheus metrics against real nodes with faults: each count is checked
// against what the nodes themselves saw (their request counters and injected faults, read
// from their own /metrics) and against the sagas' reports.
#include <chrono>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <cluster_client/cluster_client.hpp>
#include <cluster_client/version.hpp>

#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "test_directory.hpp"
#include "test_http.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

// The sum of the samples of `name` (a counter or gauge) whose labels include `wanted`.
double sum_of(const prometheus::Registry& registry, const std::string& name, const Labels& wanted = {}) {
    double sum = 0;
    for (const auto& family : registry.Collect()) {
        if (family.name != name) continue;
        for (const auto& metric : family.metric) {
            bool matches = true;
            for (const auto& [key, value] : wanted) {
                bool found = false;
                for (const auto& label : metric.label) found = found || (label.name == key && label.value == value);
                matches = matches && found;
            }
            if (!matches) continue;
            sum += family.type == prometheus::MetricType::Counter ? metric.counter.value
                   : family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                                  : static_cast<double>(metric.histogram.sample_count);
        }
    }
    return sum;
}

// The sum of the samples named `name` in Prometheus's text format whose line holds `part`.
double sum_in_text(const std::string& text, const std::string& name, const std::string& part) {
    std::istringstream lines(text);
    double sum = 0;
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(name + "{") || line.find(part) == std::string::npos) continue;
        sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
}

ClientOptions watched(const std::vector<std::string>& hosts, const testing::TestDirectory& state,
                      std::shared_ptr<prometheus::Registry> registry) {
    ClientOptions options{.hosts = hosts};
    options.retry.attempt_timeout = 500ms;
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 5ms;
    options.retry.max_attempts = 8;
    options.saga_log.state_dir = state.path().string();
    options.metrics = std::move(registry);
    return options;
}

TEST(Metrics, CountWhatTheNodesSawAndWhatTheSagasReported) {
    reference_node::NodeClusterOptions nodes;
    nodes.admin_port = 0;
    nodes.faults = {.p_500_after = 0.15, .seed = 7};
    testing::LocalCluster cluster(nodes);
    testing::TestDirectory state("metrics");
    auto registry = std::make_shared<prometheus::Registry>();

    std::vector<SagaReport> reports;
    {
        boost::asio::io_context io;
        ClusterClient client(io.get_executor(), watched(cluster.urls(), state, registry));
        std::vector<std::future<SagaReport>> sagas;
        for (int i = 0; i < 150; ++i) {
            sagas.push_back(client.async_create_group("m" + std::to_string(i), boost::asio::use_future));
        }
        for (int i = 0; i < 50; ++i) {
            sagas.push_back(client.async_delete_group("m" + std::to_string(i), boost::asio::use_future));
        }
        io.run();
        for (auto& saga : sagas) reports.push_back(saga.get());
    }

    // Sagas: one start and one end each, by operation and outcome, none left in flight.
    EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_started_total", {{"operation", "create"}}), 150);
    EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_started_total", {{"operation", "delete"}}), 50);
    std::map<std::pair<std::string, std::string>, int> outcomes;
    int compensated = 0;
    for (const auto& report : reports) {
        ++outcomes[{std::string(enum_name(report.operation)), std::string(enum_name(report.outcome))}];
        for (const auto& host : report.hosts) compensated += host.state == HostState::rolled_back ? 1 : 0;
    }
    EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_completed_total"), 200);
    for (const auto& [key, count] : outcomes) {
        EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_completed_total",
                         {{"operation", key.first}, {"outcome", key.second}}),
                  count)
            << key.first << " " << key.second;
    }
    EXPECT_EQ(sum_of(*registry, "cluster_client_saga_duration_seconds"), 200);
    EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_in_flight"), 0);
    EXPECT_EQ(sum_of(*registry, "cluster_client_compensations_total", {{"result", "rolled_back"}}), compensated);

    // Requests: what the client counts as sent is what each node received, and every 500
    // a node injected is an ambiguous answer the client counted.
    const auto node_metrics = testing::test_http("GET", *cluster.admin_url() + "/metrics");
    ASSERT_EQ(node_metrics.status, 200u) << node_metrics.body;
    double ambiguous_answers = 0;
    for (int i = 0; i < cluster.size(); ++i) {
        const auto& url = cluster.url(i);
        const double sent =
            sum_of(*registry, "cluster_client_node_requests_total", {{"node", url}}) -
            sum_of(*registry, "cluster_client_node_requests_total", {{"node", url}, {"result", "not_sent"}});
        EXPECT_EQ(sent, static_cast<double>(cluster.requests(i))) << url;
        EXPECT_EQ(sum_in_text(node_metrics.body, "cluster_node_requests_total", url), sent) << url;
        EXPECT_EQ(sum_of(*registry, "cluster_client_node_request_duration_seconds", {{"node", url}}), sent) << url;
        ambiguous_answers +=
            sum_of(*registry, "cluster_client_node_requests_total", {{"node", url}, {"result", "maybe_applied"}});
    }
    const double injected = sum_in_text(node_metrics.body, "cluster_node_faults_injected_total", "error_after");
    EXPECT_GT(injected, 20);
    EXPECT_EQ(ambiguous_answers, injected);

    // Every ambiguous write was settled one way or another, and the faults caused retries.
    for (const std::string call : {"POST", "DELETE"}) {
        EXPECT_EQ(sum_of(*registry, "cluster_client_ambiguous_writes_resolved_total", {{"call", call}}),
                  sum_of(*registry, "cluster_client_ambiguous_writes_total", {{"call", call}}))
            << call;
    }
    EXPECT_GT(sum_of(*registry, "cluster_client_ambiguous_writes_resolved_total", {{"resolution", "applied"}}), 0);
    EXPECT_GT(sum_of(*registry, "cluster_client_node_request_retries_total"), 0);

    // Client state: every breaker closed, the budget within its bounds, the log's writes
    // timed, the build named.
    for (const auto& url : cluster.urls()) {
        EXPECT_EQ(sum_of(*registry, "cluster_client_circuit_breaker_state", {{"node", url}, {"state", "closed"}}), 1);
    }
    const double tokens = sum_of(*registry, "cluster_client_retry_budget_tokens");
    EXPECT_GT(tokens, 0);
    EXPECT_LE(tokens, 100);
    EXPECT_GT(sum_of(*registry, "cluster_client_saga_log_write_duration_seconds"), 200);
    EXPECT_EQ(sum_of(*registry, "cluster_client_build_info", {{"version", std::string(version)}}), 1);
}

TEST(Metrics, AnOpenSagaIsCountedAndAgesWhileTheClientIsIdle) {
    testing::LocalCluster cluster;
    testing::TestDirectory state("metrics");
    auto registry = std::make_shared<prometheus::Registry>();
    boost::asio::io_context io;
    // An ensure never rolls back: with a node down it ends incomplete, open in the log.
    ClusterClient client(io.get_executor(), watched({cluster.url(0), testing::dead_node_url()}, state, registry));
    auto ensured = client.async_ensure_group("open-1", boost::asio::use_future);
    io.run();
    ASSERT_EQ(ensured.get().outcome, SagaOutcome::incomplete);

    const auto until = std::chrono::steady_clock::now() + 3s;
    while (sum_of(*registry, "cluster_client_open_sagas") != 1 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(sum_of(*registry, "cluster_client_open_sagas"), 1);
    const double first = sum_of(*registry, "cluster_client_oldest_open_saga_age_seconds");
    EXPECT_GE(first, 0);
    // No saga runs, the event loop has stopped: the gauge still ages.
    std::this_thread::sleep_for(5500ms);
    EXPECT_GE(sum_of(*registry, "cluster_client_oldest_open_saga_age_seconds"), first + 4);
    EXPECT_EQ(sum_of(*registry, "cluster_client_sagas_in_flight"), 0);
}

}  // namespace
}  // namespace cluster_client
