// SPDX-License-Identifier: MIT
#include <sys/resource.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cluster_client/errors.hpp>
#include <cluster_client/version.hpp>

#include "cpu_bench.hpp"
#include "latency_bench.hpp"
#include "soak_bench.hpp"
#include "throughput_bench.hpp"
#include <cluster_client/duration.hpp>

namespace {

// A cluster of N nodes in this process holds about 3N sockets.
void raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

void add_output_option(CLI::App& command, std::string& output) {
    command.add_option("--output", output, "text (a table) or json (one object per line)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
}

// A duration option in whole seconds (rounded up); the error names the option.
std::chrono::seconds seconds_of(const char* option, const std::string& text) {
    try {
        return std::chrono::ceil<std::chrono::seconds>(cluster_client::parse_duration(text));
    } catch (const cluster_client::ConfigError& error) {
        throw cluster_client::ConfigError(std::string(option) + ": " + error.what());
    }
}

template <class Rows, class Table, class Json>
void print(const std::string& output, const Rows& rows, Table table, Json json) {
    if (output == "json") {
        json(std::cout, rows);
    } else {
        table(std::cout, rows);
    }
}

}  // namespace

int main(int argc, char** argv) {
    namespace bench = cluster_client::bench;
    CLI::App app{"cluster-bench: latency, throughput and CPU cost of cluster-client sagas against reference nodes",
                 "cluster-bench"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "print the help of every command");
    app.set_version_flag("--version", "cluster-bench " + std::string(cluster_client::version),
                         "print the version and exit");
    std::string output = "text";

    bench::LatencyBenchOptions latency;
    int latency_ms = static_cast<int>(latency.latency.count());
    auto* latency_command = app.add_subcommand("latency", "saga latency (p50, p99) against the number of nodes");
    latency_command->add_option("--nodes", latency.node_counts, "cluster sizes, comma-separated")
        ->delimiter(',')
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    latency_command
        ->add_option("--hosts", latency.hosts, "measure these nodes instead of starting them (comma-separated)")
        ->delimiter(',');
    latency_command->add_option("--node-threads", latency.node_threads, "threads serving the started nodes")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    latency_command->add_option("--latency-ms", latency_ms, "latency each started node adds to each request")
        ->check(CLI::Range(0, 10000))
        ->capture_default_str();
    latency_command->add_option("--sagas", latency.sagas, "sagas measured per size and client")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    latency_command->add_option("--runs", latency.runs, "runs of the whole measurement; rows give medians")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    latency_command
        ->add_option("--sequential-max-nodes", latency.sequential_max_nodes,
                     "largest size the sequential (2N) client is measured at; 0 skips it")
        ->check(CLI::Range(0, 10000))
        ->capture_default_str();
    add_output_option(*latency_command, output);

    bench::ThroughputBenchOptions throughput;
    std::string log_modes = "both";
    auto* throughput_command = app.add_subcommand("throughput", "sagas per second through one client");
    throughput_command->add_option("--nodes", throughput.nodes, "nodes started in this process")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    throughput_command->add_option("--node-threads", throughput.node_threads, "threads serving the started nodes")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    throughput_command->add_option("--hosts", throughput.hosts, "load these nodes instead (comma-separated)")
        ->delimiter(',');
    throughput_command->add_option("--concurrency", throughput.concurrency, "sagas in flight, comma-separated")
        ->delimiter(',')
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
    throughput_command->add_option("--sagas", throughput.sagas, "sagas per measurement (creates, then deletes)")
        ->check(CLI::Range(std::size_t{2}, std::size_t{100000000}))
        ->capture_default_str();
    throughput_command
        ->add_option("--saga-log", log_modes,
                     "off, on, or both (SQLite); or a saga log URL (postgresql://...): on, with the log there")
        ->check([](const std::string& value) {
            if (value == "off" || value == "on" || value == "both" || value.find("://") != std::string::npos) {
                return std::string();
            }
            return std::string("--saga-log: off, on, both or a URL");
        })
        ->capture_default_str();
    throughput_command
        ->add_option("--coordinators", throughput.coordinators,
                     "clients sharing the log, each with its own groups (and thread, unless --one-loop); the "
                     "concurrency is split")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
        ->capture_default_str();
    throughput_command->add_flag("--one-loop", throughput.one_loop,
                                 "the coordinators' clients share one thread (default: a thread each)");
    throughput_command->add_option("--runs", throughput.runs, "runs of each measurement; more than 1 adds medians")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    throughput_command->add_option("--saga-log-dir", throughput.saga_log_dir,
                                   "keep one saga log in this folder across runs, so it grows (default: a new "
                                   "one per run in a temporary folder)");
    throughput_command->add_flag("--metrics", throughput.metrics,
                                 "the clients keep Prometheus metrics (in a registry nobody scrapes)");
    add_output_option(*throughput_command, output);

    bench::CpuBenchOptions cpu;
    auto* cpu_command = app.add_subcommand("cpu", "client CPU per request next to wrk's, against one node");
    cpu_command->add_option("--connections", cpu.connections, "connections (wrk) and requests in flight")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
        ->capture_default_str();
    cpu_command->add_option("--wrk-seconds", cpu.wrk_seconds, "how long wrk runs")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cpu_command->add_option("--requests", cpu.requests, "GET requests of the HTTP layer; sagas are a tenth")
        ->check(CLI::Range(std::size_t{10}, std::size_t{100000000}))
        ->capture_default_str();
    cpu_command->add_option("--wrk", cpu.wrk, "the wrk program")->capture_default_str();
    add_output_option(*cpu_command, output);

    bench::SoakOptions soak;
    std::string soak_duration = "10m";
    std::string soak_sample_every = "10s";
    std::string soak_retention = "60s";
    auto* soak_command =
        app.add_subcommand("soak", "sagas under random faults for a while: invariant violations and memory over time");
    soak_command->add_option("--duration", soak_duration, "how long sagas are started (e.g. 90s, 10m)")
        ->capture_default_str();
    soak_command->add_option("--nodes", soak.nodes, "nodes started in this process")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    soak_command->add_option("--concurrency", soak.concurrency, "sagas in flight")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
    soak_command->add_option("--groups", soak.groups, "group ids created and deleted over and over")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
        ->capture_default_str();
    soak_command->add_option("--fault-rate", soak.fault_rate, "share of requests that meet a fault (0 to 1)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    soak_command->add_option("--seed", soak.seed, "seed of the faults and of the sagas")->capture_default_str();
    soak_command->add_option("--sample-every", soak_sample_every, "how often a row is printed")->capture_default_str();
    soak_command
        ->add_option("--max-growth-mb", soak.max_growth_mb,
                     "most the resident memory may grow after the first fifth of the run")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    soak_command
        ->add_option("--retention", soak_retention,
                     "after each row, prune the sagas that ended longer ago than this (0s: never)")
        ->capture_default_str();
    soak_command
        ->add_option("--max-log-growth-mb", soak.max_log_growth_mb,
                     "most the saga log's files may grow after the first fifth of the run")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    add_output_option(*soak_command, output);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;
    }
    spdlog::set_level(spdlog::level::warn);
    raise_open_file_limit();

    try {
        if (soak_command->parsed()) {
            soak.duration = seconds_of("--duration", soak_duration);
            soak.sample_every = seconds_of("--sample-every", soak_sample_every);
            soak.retention = seconds_of("--retention", soak_retention);
            const bool json = output == "json";
            if (!json) bench::print_soak_header(std::cout);
            const auto result = bench::run_soak(soak, [&](const bench::SoakRow& row) {
                if (json) {
                    bench::print_soak_row_json(std::cout, row);
                } else {
                    bench::print_soak_row(std::cout, row);
                }
            });
            if (json) {
                bench::print_soak_summary_json(std::cout, result);
            } else {
                bench::print_soak_summary(std::cout, result);
            }
            return result.passed ? 0 : 1;
        }
        if (throughput_command->parsed()) {
            if (log_modes.find("://") != std::string::npos) {
                throughput.saga_log_url = log_modes;
                throughput.log_modes = {true};
            } else if (log_modes != "both") {
                throughput.log_modes = {log_modes == "on"};
            }
            print(output, bench::run_throughput_bench(throughput), bench::print_throughput_table,
                  bench::print_throughput_json);
        } else if (cpu_command->parsed()) {
            print(output, bench::run_cpu_bench(cpu), bench::print_cpu_table, bench::print_cpu_json);
        } else {
            latency.latency = std::chrono::milliseconds(latency_ms);
            print(output, bench::run_latency_bench(latency), bench::print_latency_table, bench::print_latency_json);
        }
    } catch (const cluster_client::ConfigError& error) {
        std::cerr << "cluster-bench: " << error.what() << '\n';
        return 2;
    } catch (const std::exception& error) {
        std::cerr << "cluster-bench: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
