// SPDX-License-Identifier: MIT
// cluster-bench run as a process: each measurement runs end to end on small sizes and
// prints rows a user can trust (every saga ok, numbers in range); bad input is exit 2.
#include <unistd.h>

#include <gtest/gtest.h>

#include "ci.hpp"
#include "program.hpp"

namespace cluster_client {
namespace {

using testing::json_lines;
using testing::ProgramResult;

ProgramResult bench(const std::vector<std::string>& args) {
    testing::ProgramOptions options;
    options.timeout = std::chrono::seconds(120);
    return testing::run_program(CLUSTER_BENCH_EXE, args, options);
}

bool wrk_installed() {
    for (const char* dir : {"/usr/bin/wrk", "/usr/local/bin/wrk"}) {
        if (::access(dir, X_OK) == 0) return true;
    }
    return false;
}

TEST(ClusterBench, LatencyMeasuresEveryClientAtEverySize) {
    const auto result = bench({"latency", "--nodes", "1,3", "--sagas", "3", "--latency-ms", "2", "--output", "json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const auto rows = json_lines(result.out);
    // Per size: strict and fast, create and delete, and the sequential create.
    ASSERT_EQ(rows.size(), 10u) << result.out;
    for (const auto& row : rows) {
        const double p50 = row.at("p50_ms").to_number<double>();
        EXPECT_GE(p50, 2.0) << "a saga takes at least one round trip of 2 ms";
        EXPECT_GE(row.at("p99_ms").to_number<double>(), p50);
    }
    // The sequential design takes 2N round trips: at 3 nodes at least 6 x 2 ms.
    EXPECT_EQ(rows.back().at("client").as_string(), "sequential");
    EXPECT_GE(rows.back().at("p50_ms").to_number<double>(), 12.0);
}

TEST(ClusterBench, ThroughputRunsBothLogModesAndReportsMedians) {
    const auto result = bench(
        {"throughput", "--nodes", "2", "--sagas", "40", "--concurrency", "1,8", "--runs", "3", "--output", "json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const auto rows = json_lines(result.out);
    // Per concurrency: 3 runs x 2 log modes, then a median per mode.
    ASSERT_EQ(rows.size(), 16u) << result.out;
    int medians = 0;
    for (const auto& row : rows) {
        EXPECT_EQ(row.at("failed").to_number<int>(), 0) << result.out;
        EXPECT_GT(row.at("sagas_per_second").to_number<double>(), 0.0);
        // A strict create or delete makes 3 requests per node: at least 6 per saga on 2 nodes.
        EXPECT_GE(row.at("requests_per_second").to_number<double>(),
                  5.9 * row.at("sagas_per_second").to_number<double>());
        if (row.at("run").as_string() == "median") ++medians;
    }
    EXPECT_EQ(medians, 4);
}

// Three clients sharing the log split the sagas, on threads of their own or on one loop;
// the client's CPU per request adds up all of them.
TEST(ClusterBench, CoordinatorsSplitTheSagasAndTheirCpuIsCounted) {
    for (const auto& loops : {std::vector<std::string>{}, std::vector<std::string>{"--one-loop"}}) {
        std::vector<std::string> args{"throughput", "--nodes",    "2",  "--sagas",  "60",   "--concurrency",
                                      "6",          "--saga-log", "on", "--output", "json", "--coordinators",
                                      "3"};
        args.insert(args.end(), loops.begin(), loops.end());
        const auto result = bench(args);
        ASSERT_EQ(result.exit_status, 0) << result.err;
        const auto rows = json_lines(result.out);
        ASSERT_EQ(rows.size(), 1u) << result.out;
        const auto& row = rows.front();
        EXPECT_EQ(row.at("coordinators").to_number<int>(), 3);
        EXPECT_EQ(row.at("sagas").to_number<int>(), 60) << "10 groups each, created then deleted";
        EXPECT_EQ(row.at("failed").to_number<int>(), 0) << result.out;
        EXPECT_GT(row.at("client_cpu_us_per_request").to_number<double>(), 0.0) << result.out;
        EXPECT_GE(row.at("requests_per_second").to_number<double>(),
                  5.9 * row.at("sagas_per_second").to_number<double>());
    }
}

TEST(ClusterBench, CpuComparesWithWrk) {
    if (!wrk_installed()) CLUSTER_CLIENT_CANNOT_RUN("wrk is not installed (apt-get install wrk)");
    const auto result =
        bench({"cpu", "--wrk-seconds", "1", "--requests", "2000", "--connections", "8", "--output", "json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const auto rows = json_lines(result.out);
    ASSERT_EQ(rows.size(), 3u) << result.out;
    EXPECT_EQ(rows[0].at("client").as_string(), "wrk");
    EXPECT_DOUBLE_EQ(rows[0].at("versus_wrk").to_number<double>(), 1.0);
    for (const auto& row : rows) EXPECT_GT(row.at("cpu_us_per_request").to_number<double>(), 0.0);
}

TEST(ClusterBench, AMissingWrkIsAClearError) {
    const auto result = bench({"cpu", "--wrk", "no-such-wrk-program", "--wrk-seconds", "1"});
    EXPECT_EQ(result.exit_status, 1);
    EXPECT_NE(result.err.find("apt-get install wrk"), std::string::npos) << result.err;
}

TEST(ClusterBench, SoakChecksEverySagaAndSamplesMemory) {
    const auto result = bench({"soak", "--duration", "3s", "--sample-every", "1s", "--nodes", "3", "--concurrency", "8",
                               "--groups", "16", "--fault-rate", "0.2", "--retention", "1s", "--output", "json"});
    ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
    const auto rows = json_lines(result.out);
    ASSERT_GE(rows.size(), 4u) << "a row a second and the verdict: " << result.out;
    for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
        EXPECT_EQ(rows[i].at("violations").to_number<int>(), 0) << result.out;
        EXPECT_GT(rows[i].at("rss_mb").to_number<double>(), 1.0);
        EXPECT_GT(rows[i].at("log_mb").to_number<double>(), 0.0);
    }
    const auto& verdict = rows.back();
    EXPECT_TRUE(verdict.at("passed").as_bool()) << result.out;
    EXPECT_GT(verdict.at("sagas").to_number<int>(), 50) << "20 % faults still let most sagas through";
    EXPECT_EQ(verdict.at("violations").to_number<int>(), 0);
    EXPECT_LE(verdict.at("log_growth_mb").to_number<double>(), 8.0);
}

// The log's growth is checked: without retention it grows with every saga, and a limit
// below that growth fails the run.
TEST(ClusterBench, SoakFailsWhenTheSagaLogKeepsGrowing) {
    const auto result =
        bench({"soak", "--duration", "3s", "--sample-every", "1s", "--nodes", "3", "--concurrency", "8", "--groups",
               "16", "--fault-rate", "0", "--retention", "0s", "--max-log-growth-mb", "0.01", "--output", "json"});
    EXPECT_EQ(result.exit_status, 1) << result.out << result.err;
    const auto verdict = json_lines(result.out).back();
    EXPECT_FALSE(verdict.at("passed").as_bool());
    EXPECT_GT(verdict.at("log_growth_mb").to_number<double>(), 0.01);
    EXPECT_EQ(verdict.at("violations").to_number<int>(), 0);
}

TEST(ClusterBench, BadInputIsExit2) {
    const auto groups = bench({"soak", "--groups", "4", "--concurrency", "8", "--duration", "1s"});
    EXPECT_EQ(groups.exit_status, 2);
    EXPECT_NE(groups.err.find("--groups (4) must be at least --concurrency (8)"), std::string::npos) << groups.err;
    const auto duration = bench({"soak", "--duration", "ten minutes"});
    EXPECT_EQ(duration.exit_status, 2);
    EXPECT_NE(duration.err.find("invalid duration"), std::string::npos) << duration.err;
    EXPECT_EQ(bench({"soak", "--fault-rate", "1.5"}).exit_status, 2);
    EXPECT_EQ(bench({"latency", "--nodes", "0"}).exit_status, 2);
    EXPECT_EQ(bench({"throughput", "--saga-log", "sometimes"}).exit_status, 2);
    EXPECT_EQ(bench({"throughput", "--hosts", "ftp://x"}).exit_status, 2);
    EXPECT_EQ(bench({}).exit_status, 2);
}

}  // namespace
}  // namespace cluster_client
