// SPDX-License-Identifier: MIT
#include "throughput_bench.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <prometheus/registry.h>

#include <cluster_client/cluster_client.hpp>

#include "database_commits.hpp"
#include "node_thread.hpp"
#include "statistics.hpp"

namespace cluster_client::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

namespace {

ThroughputRow median_row(const std::vector<ThroughputRow>& runs) {
    ThroughputRow row = runs.front();
    row.run = "median";
    const auto of = [&](double ThroughputRow::*field) {
        std::vector<double> values;
        for (const auto& run : runs) values.push_back(run.*field);
        return median(values);
    };
    row.seconds = of(&ThroughputRow::seconds);
    row.sagas_per_second = of(&ThroughputRow::sagas_per_second);
    row.requests_per_second = of(&ThroughputRow::requests_per_second);
    row.client_cpu_us_per_request = of(&ThroughputRow::client_cpu_us_per_request);
    row.cpu_us_per_saga = of(&ThroughputRow::cpu_us_per_saga);
    row.p50_ms = of(&ThroughputRow::p50_ms);
    row.p99_ms = of(&ThroughputRow::p99_ms);
    row.transactions_per_saga = of(&ThroughputRow::transactions_per_saga);
    row.failed = 0;
    for (const auto& run : runs) row.failed += run.failed;
    return row;
}

// One coordinator of a run: its client, its groups and what its sagas did.
struct Coordinator {
    std::unique_ptr<ClusterClient> client;
    std::string prefix;
    std::size_t groups = 0;
    std::size_t next = 0;  ///< creates of groups 0 to groups - 1, then deletes of them
    std::size_t failed = 0;
    std::size_t requests = 0;
    std::vector<double> durations;
};

// One worker: a saga at a time, until the coordinator's sagas are all taken.
asio::awaitable<void> work(Coordinator& coordinator) {
    while (coordinator.next < 2 * coordinator.groups) {
        const auto at = coordinator.next++;
        const auto operation = at < coordinator.groups ? Operation::create : Operation::delete_;
        const auto begun = Clock::now();
        const auto report =
            co_await coordinator.client->run(operation, coordinator.prefix + std::to_string(at % coordinator.groups));
        if (!report.ok()) ++coordinator.failed;
        coordinator.durations.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
        for (const auto& host : report.hosts) coordinator.requests += static_cast<std::size_t>(host.attempts);
    }
}

}  // namespace

ThroughputRow run_sagas(const ThroughputBenchOptions& options, const std::vector<std::string>& urls,
                        std::size_t concurrency, bool saga_log) {
    const bool kept = !options.saga_log_dir.empty();
    const bool postgres = saga_log && options.saga_log_url.starts_with("postgres");
    const auto state_dir = kept ? std::filesystem::path(options.saga_log_dir)
                                : std::filesystem::temp_directory_path() /
                                      ("cluster-bench-" + std::to_string(::getpid()) + (saga_log ? "-log" : "-nolog"));
    if (!kept) std::filesystem::remove_all(state_dir);
    const auto coordinators = std::max<std::size_t>(1, options.coordinators);
    ThroughputRow row{.run = {},
                      .concurrency = concurrency,
                      .coordinators = coordinators,
                      .saga_log = saga_log,
                      .log_kind = !saga_log  ? "off"
                                  : postgres ? "postgresql"
                                             : "sqlite",
                      .sagas = options.sagas};
    ClientOptions client_options;
    client_options.hosts = urls;
    client_options.ownership = options.ownership;
    if (options.metrics) client_options.metrics = std::make_shared<prometheus::Registry>();
    if (saga_log) {
        client_options.saga_log.state_dir = state_dir.string();
        client_options.saga_log.url = options.saga_log_url;
    }
    const auto commits_before = postgres ? database_commits(options.saga_log_url) : std::nullopt;
    std::mutex merge;
    std::vector<double> durations;
    double client_cpu = 0;  // the threads running the clients' event loops
    // Runs the coordinators `first` to `last` (exclusive) on one event loop, on this thread.
    // Each coordinator: its own client and groups, a share of the sagas and of the
    // concurrency; creates of its groups, then deletes of them.
    const auto groups = options.sagas / 2 / coordinators;
    const auto workers = std::max<std::size_t>(1, concurrency / coordinators);
    auto run_loop = [&](std::size_t first, std::size_t last) {
        const auto cpu_before = thread_cpu_seconds();
        asio::io_context io{1};
        std::vector<Coordinator> mine(last - first);
        for (std::size_t index = first; index < last; ++index) {
            auto& coordinator = mine[index - first];
            coordinator.client = std::make_unique<ClusterClient>(io.get_executor(), client_options);
            coordinator.groups = groups;
            coordinator.prefix = "bench-" + std::to_string(index) + "-";
            for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(io, work(coordinator), asio::detached);
        }
        io.run();
        std::lock_guard lock(merge);
        client_cpu += thread_cpu_seconds() - cpu_before;
        for (const auto& coordinator : mine) {
            row.failed += coordinator.failed;
            row.requests += coordinator.requests;
            durations.insert(durations.end(), coordinator.durations.begin(), coordinator.durations.end());
        }
    };
    const auto process_cpu_before = process_cpu_seconds();
    const auto started = Clock::now();
    if (coordinators == 1 || options.one_loop) {
        run_loop(0, coordinators);
    } else {
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < coordinators; ++i) threads.emplace_back(run_loop, i, i + 1);
        for (auto& thread : threads) thread.join();
    }
    row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const double process_cpu = process_cpu_seconds() - process_cpu_before;
    if (!kept) std::filesystem::remove_all(state_dir);
    row.sagas = durations.size();
    row.sagas_per_second = static_cast<double>(row.sagas) / row.seconds;
    row.requests_per_second = static_cast<double>(row.requests) / row.seconds;
    row.client_cpu_us_per_request = row.requests > 0 ? client_cpu * 1e6 / static_cast<double>(row.requests) : 0;
    row.cpu_us_per_saga = process_cpu * 1e6 / static_cast<double>(row.sagas);
    row.p50_ms = percentile(durations, 0.5);
    row.p99_ms = percentile(durations, 0.99);
    if (commits_before) {
        // The clients' sessions have ended, so their counts are in the statistics.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (const auto after = database_commits(options.saga_log_url)) {
            row.transactions_per_saga = static_cast<double>(*after - *commits_before) / static_cast<double>(row.sagas);
        }
    }
    return row;
}

std::vector<ThroughputRow> run_throughput_bench(const ThroughputBenchOptions& options) {
    std::optional<NodeThread> local;
    if (options.hosts.empty()) local.emplace(options.nodes, std::chrono::milliseconds(0), options.node_threads);
    const auto urls = local ? local->urls() : options.hosts;
    std::vector<ThroughputRow> rows;
    for (const auto concurrency : options.concurrency) {
        std::vector<std::vector<ThroughputRow>> runs(options.log_modes.size());
        for (int run = 1; run <= options.runs; ++run) {
            for (std::size_t mode = 0; mode < options.log_modes.size(); ++mode) {
                auto row = run_sagas(options, urls, concurrency, options.log_modes[mode]);
                row.run = std::to_string(run);
                rows.push_back(row);
                runs[mode].push_back(row);
            }
        }
        if (options.runs > 1) {
            for (const auto& mode_runs : runs) rows.push_back(median_row(mode_runs));
        }
    }
    return rows;
}

void print_throughput_table(std::ostream& out, const std::vector<ThroughputRow>& rows) {
    out << std::left << std::setw(8) << "run" << std::right << std::setw(12) << "concurrency" << std::setw(7) << "coord"
        << "  " << std::left << std::setw(11) << "saga log" << std::right << std::setw(9) << "sagas" << std::setw(10)
        << "seconds" << std::setw(10) << "sagas/s" << std::setw(12) << "requests/s" << std::setw(16) << "client us/req"
        << std::setw(12) << "us/saga" << std::setw(9) << "p50 ms" << std::setw(9) << "p99 ms" << std::setw(12)
        << "db tx/saga" << std::setw(8) << "failed" << '\n';
    for (const auto& row : rows) {
        std::ostringstream transactions;
        if (row.transactions_per_saga < 0) {
            transactions << "-";
        } else {
            transactions << std::fixed << std::setprecision(2) << row.transactions_per_saga;
        }
        out << std::left << std::setw(8) << row.run << std::right << std::setw(12) << row.concurrency << std::setw(7)
            << row.coordinators << "  " << std::left << std::setw(11) << row.log_kind << std::right << std::setw(9)
            << row.sagas << std::fixed << std::setprecision(2) << std::setw(10) << row.seconds << std::setprecision(0)
            << std::setw(10) << row.sagas_per_second << std::setw(12) << row.requests_per_second << std::setprecision(1)
            << std::setw(16) << row.client_cpu_us_per_request << std::setw(12) << row.cpu_us_per_saga
            << std::setprecision(2) << std::setw(9) << row.p50_ms << std::setw(9) << row.p99_ms << std::setw(12)
            << transactions.str() << std::setw(8) << row.failed << '\n';
    }
}

void print_throughput_json(std::ostream& out, const std::vector<ThroughputRow>& rows) {
    for (const auto& row : rows) {
        out << boost::json::serialize(boost::json::object{{"run", row.run},
                                                          {"concurrency", row.concurrency},
                                                          {"coordinators", row.coordinators},
                                                          {"saga_log", row.saga_log},
                                                          {"log", row.log_kind},
                                                          {"p50_ms", row.p50_ms},
                                                          {"p99_ms", row.p99_ms},
                                                          {"db_transactions_per_saga", row.transactions_per_saga},
                                                          {"sagas", row.sagas},
                                                          {"seconds", row.seconds},
                                                          {"sagas_per_second", row.sagas_per_second},
                                                          {"requests_per_second", row.requests_per_second},
                                                          {"client_cpu_us_per_request", row.client_cpu_us_per_request},
                                                          {"cpu_us_per_saga", row.cpu_us_per_saga},
                                                          {"failed", row.failed}})
            << '\n';
    }
}

}  // namespace cluster_client::bench
