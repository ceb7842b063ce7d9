// SPDX-License-Identifier: MIT
#include "latency_bench.hpp"

#include <algorithm>
#include <iomanip>
#include <optional>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <cluster_client/cluster_client.hpp>

#include "node_thread.hpp"
#include "sequential_client.hpp"
#include "statistics.hpp"

namespace cluster_client::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int warm_up = 3;

template <class Saga>
LatencyRow measure(int nodes, std::string client, std::string operation, const LatencyBenchOptions& options,
                   Saga saga) {
    std::vector<double> samples;
    for (int i = 0; i < warm_up + options.sagas; ++i) {
        const auto started = Clock::now();
        saga(i);
        const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        if (i >= warm_up) samples.push_back(ms);
    }
    return LatencyRow{nodes, std::move(client), std::move(operation), percentile(samples, 0.5),
                      percentile(samples, 0.99)};
}

std::vector<LatencyRow> one_run(const LatencyBenchOptions& options) {
    std::vector<LatencyRow> rows;
    const auto sizes = options.hosts.empty() ? options.node_counts
                                             : std::vector<int>{static_cast<int>(options.hosts.size())};
    for (const int nodes : sizes) {
        std::optional<NodeThread> local;
        if (options.hosts.empty()) local.emplace(nodes, options.latency, options.node_threads);
        const auto urls = local ? local->urls() : options.hosts;
        for (const auto ownership : {Ownership::strict, Ownership::fast}) {
            const std::string name(enum_name(ownership));
            BlockingClusterClient client(ClientOptions{.hosts = urls, .ownership = ownership});
            const auto id = [&](int i) { return "bench-" + name + "-" + std::to_string(i); };
            rows.push_back(measure(nodes, name, "create", options, [&](int i) { client.create_group(id(i)); }));
            rows.push_back(measure(nodes, name, "delete", options, [&](int i) { client.delete_group(id(i)); }));
        }
        if (nodes <= options.sequential_max_nodes) {
            asio::io_context io;
            SequentialClient client(io.get_executor(), urls);
            rows.push_back(measure(nodes, "sequential", "create", options, [&](int i) {
                auto done =
                    asio::co_spawn(io, client.create_group("bench-sequential-" + std::to_string(i)), asio::use_future);
                io.restart();
                io.run();
                done.get();
            }));
            // Leaves the nodes as found, which matters for hosts given with --hosts.
            BlockingClusterClient cleanup(ClientOptions{.hosts = urls});
            for (int i = 0; i < warm_up + options.sagas; ++i)
                cleanup.delete_group("bench-sequential-" + std::to_string(i));
        }
    }
    return rows;
}

}  // namespace

std::vector<LatencyRow> run_latency_bench(const LatencyBenchOptions& options) {
    std::vector<std::vector<LatencyRow>> runs;
    for (int run = 0; run < options.runs; ++run) runs.push_back(one_run(options));
    // Every run measures the same rows in the same order.
    std::vector<LatencyRow> rows = runs.front();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::vector<double> p50s;
        std::vector<double> p99s;
        for (const auto& run : runs) {
            p50s.push_back(run[i].p50_ms);
            p99s.push_back(run[i].p99_ms);
        }
        rows[i].p50_ms = median(p50s);
        rows[i].p99_ms = median(p99s);
        // Only the nodes started here are known to add exactly options.latency per request.
        const bool known_latency = options.latency.count() > 0 && options.hosts.empty();
        rows[i].round_trips = known_latency ? rows[i].p50_ms / static_cast<double>(options.latency.count()) : 0;
    }
    return rows;
}

void print_latency_table(std::ostream& out, const std::vector<LatencyRow>& rows) {
    out << std::left << std::setw(7) << "nodes" << std::setw(12) << "client" << std::setw(10) << "operation"
        << std::right << std::setw(10) << "p50 ms" << std::setw(10) << "p99 ms" << std::setw(13) << "round trips"
        << '\n';
    out << std::fixed << std::setprecision(1);
    for (const auto& row : rows) {
        out << std::left << std::setw(7) << row.nodes << std::setw(12) << row.client << std::setw(10) << row.operation
            << std::right << std::setw(10) << row.p50_ms << std::setw(10) << row.p99_ms << std::setw(13)
            << row.round_trips << '\n';
    }
}

void print_latency_json(std::ostream& out, const std::vector<LatencyRow>& rows) {
    for (const auto& row : rows) {
        out << boost::json::serialize(boost::json::object{{"nodes", row.nodes},
                                                          {"client", row.client},
                                                          {"operation", row.operation},
                                                          {"p50_ms", row.p50_ms},
                                                          {"p99_ms", row.p99_ms},
                                                          {"round_trips", row.round_trips}})
            << '\n';
    }
}

}  // namespace cluster_client::bench
