// SPDX-License-Identifier: MIT
// cluster-client --metrics-listen and cluster-node's /metrics as an operator uses them: a
// batch scraped while it runs, and each scrape checked by Prometheus's own promtool.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <cluster_client/version.hpp>

#include "client_program.hpp"
#include "dead_port.hpp"
#include "local_cluster.hpp"
#include "test_http.hpp"

namespace cluster_client {
namespace {

using namespace std::chrono_literals;
using testing::cli;
using testing::host_list;

constexpr const char* promtool = "/usr/bin/promtool";

// What `promtool check metrics` says of a scrape: its exit code and its words.
testing::ProgramResult promtool_check(const std::string& scrape) {
    testing::ProgramOptions options;
    options.input = scrape;
    return testing::run_program(promtool, {"check", "metrics"}, options);
}

std::string free_port() {
    const auto url = testing::dead_node_url();
    return url.substr(url.rfind(':') + 1);
}

TEST(MetricsCli, ABatchServesMetricsWhileItRunsThatPromtoolAccepts) {
    ASSERT_TRUE(std::filesystem::exists(promtool)) << "promtool (the Debian package prometheus) is missing";
    reference_node::NodeClusterOptions nodes;
    nodes.admin_port = 0;
    nodes.faults.latency = 2ms;
    testing::LocalCluster cluster(nodes);
    const auto ids = testing::client_test_home() + "-ids";
    {
        std::ofstream file(ids);
        for (int i = 0; i < 300; ++i) file << "scraped-" << i << '\n';
    }
    const auto port = free_port();
    const auto url = "http://127.0.0.1:" + port + "/metrics";

    // Scrapes as Prometheus would, every 50 ms, keeping the last answer seen mid-batch.
    std::atomic<bool> done = false;
    auto scraper = std::async(std::launch::async, [&] {
        std::string last;
        while (!done) {
            const auto reply = testing::test_http("GET", url, {}, 1s);
            if (reply.status == 200 && reply.body.find("cluster_client_sagas_in_flight") != std::string::npos) {
                last = reply.body;
            }
            std::this_thread::sleep_for(50ms);
        }
        return last;
    });
    const auto run = cli({"--hosts", host_list(cluster.urls()), "create", "--from-file", ids, "--concurrency", "2",
                          "--metrics-listen", "127.0.0.1:" + port});
    done = true;
    const auto scrape = scraper.get();

    ASSERT_EQ(run.exit_status, 0) << run.err;
    EXPECT_NE(run.err.find("serving metrics at " + url), std::string::npos) << run.err;
    ASSERT_FALSE(scrape.empty()) << "no scrape answered while the batch ran";
    const auto check = promtool_check(scrape);
    EXPECT_EQ(check.exit_status, 0) << check.out << check.err << scrape;
    EXPECT_NE(scrape.find("cluster_client_build_info{version=\"" + std::string(version) + "\"} 1"), std::string::npos);
    EXPECT_NE(scrape.find("cluster_client_sagas_started_total{operation=\"create\"}"), std::string::npos);
    EXPECT_NE(scrape.find("cluster_client_node_requests_total{call=\"POST\",node=\"" + cluster.url(0) +
                          "\",result=\"created\"}"),
              std::string::npos)
        << scrape;
    // The listener ends with the command.
    EXPECT_EQ(testing::test_http("GET", url).transport, testing::Transport::refused);

    // The nodes serve their own, which promtool accepts too, and which match their state.
    const auto node_scrape = testing::test_http("GET", *cluster.admin_url() + "/metrics");
    ASSERT_EQ(node_scrape.status, 200u);
    EXPECT_EQ(node_scrape.content_type, "text/plain; version=0.0.4");
    const auto node_check = promtool_check(node_scrape.body);
    EXPECT_EQ(node_check.exit_status, 0) << node_check.out << node_check.err << node_scrape.body;
    for (const auto& node : cluster.urls()) {
        EXPECT_NE(node_scrape.body.find("cluster_node_groups{node=\"" + node + "\"} 300"), std::string::npos)
            << node_scrape.body;
    }
}

TEST(MetricsCli, AnAddressThatCannotServeIsRefusedBeforeAnythingIsSent) {
    reference_node::NodeClusterOptions nodes;
    nodes.admin_port = 0;
    testing::LocalCluster cluster(nodes);
    const auto hosts = host_list(cluster.urls());
    for (const std::string bad :
         {"9464", "localhost:9464", "127.0.0.1:65536", "127.0.0.1:", "::1:9464", "[::1]:9464"}) {
        const auto run = cli({"--hosts", hosts, "create", "g1", "--metrics-listen", bad});
        EXPECT_EQ(run.exit_status, 2) << bad << ": " << run.err;
        EXPECT_NE(run.err.find("--metrics-listen: "), std::string::npos) << bad << ": " << run.err;
        EXPECT_NE(run.err.find("ADDR:PORT, an IPv4 address"), std::string::npos) << bad << ": " << run.err;
    }
    // A port another program holds: the admin endpoint's.
    const auto admin = *cluster.admin_url();
    const auto taken = "127.0.0.1:" + admin.substr(admin.rfind(':') + 1);
    const auto run = cli({"--hosts", hosts, "create", "g1", "--metrics-listen", taken});
    EXPECT_EQ(run.exit_status, 2) << run.err;
    EXPECT_NE(run.err.find("--metrics-listen: cannot listen on " + taken), std::string::npos) << run.err;
    for (int i = 0; i < cluster.size(); ++i) EXPECT_EQ(cluster.requests(i), 0u);
}

}  // namespace
}  // namespace cluster_client
