// SPDX-License-Identifier: MIT
#include <sys/resource.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "latency_bench.hpp"
#include "throughput_bench.hpp"

namespace {

// A cluster of N nodes in this process holds about 3N sockets.
void raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cluster-bench: latency and throughput of cluster-client sagas against reference nodes"};
    app.require_subcommand(1);
    std::string output = "text";
    app.add_option("--output", output, "text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();

    cluster_client::bench::LatencyBenchOptions latency;
    int latency_ms = static_cast<int>(latency.latency.count());
    bool no_sequential = false;
    auto* latency_command = app.add_subcommand("latency", "saga latency against the number of nodes");
    latency_command->add_option("--nodes", latency.node_counts, "cluster sizes")->delimiter(',')->capture_default_str();
    latency_command->add_option("--latency-ms", latency_ms, "latency each node adds to each request")
        ->check(CLI::Range(0, 10000))
        ->capture_default_str();
    latency_command->add_option("--sagas", latency.sagas, "sagas measured per size and client")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    latency_command->add_flag("--no-sequential", no_sequential, "skip the sequential (2N) comparison client");

    cluster_client::bench::ThroughputBenchOptions throughput;
    std::string log_modes = "both";
    auto* throughput_command = app.add_subcommand("throughput", "sagas per second through one client");
    throughput_command->add_option("--nodes", throughput.nodes, "nodes in the cluster")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    throughput_command->add_option("--concurrency", throughput.concurrency, "sagas in flight")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
    throughput_command->add_option("--sagas", throughput.sagas, "sagas measured (creates, then deletes)")
        ->check(CLI::Range(std::size_t{2}, std::size_t{100000000}))
        ->capture_default_str();
    throughput_command->add_option("--saga-log", log_modes, "off, on, or both")
        ->check(CLI::IsMember({"off", "on", "both"}))
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;
    }
    spdlog::set_level(spdlog::level::warn);
    raise_open_file_limit();

    if (throughput_command->parsed()) {
        if (log_modes != "both") throughput.log_modes = {log_modes == "on"};
        const auto rows = cluster_client::bench::run_throughput_bench(throughput);
        if (output == "json") {
            cluster_client::bench::print_throughput_json(std::cout, rows);
        } else {
            cluster_client::bench::print_throughput_table(std::cout, rows);
        }
        return 0;
    }
    latency.latency = std::chrono::milliseconds(latency_ms);
    latency.sequential = !no_sequential;
    const auto rows = cluster_client::bench::run_latency_bench(latency);
    if (output == "json") {
        cluster_client::bench::print_latency_json(std::cout, rows);
    } else {
        cluster_client::bench::print_latency_table(std::cout, rows);
    }
    return 0;
}
