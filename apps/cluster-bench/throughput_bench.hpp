// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include <cluster_client/options.hpp>

namespace cluster_client::bench {

struct ThroughputBenchOptions {
    /// 5: nodes in the cluster started in this process.
    int nodes = 5;
    /// 1: threads serving the in-process nodes (the client has one thread, so the two share
    /// the machine's two cores).
    int node_threads = 1;
    /// empty: measure against these hosts instead.
    std::vector<std::string> hosts;
    /// 128: sagas in flight at once; each value is measured.
    std::vector<std::size_t> concurrency{128};
    /// 20000: sagas per measurement (half creates, then as many deletes of the same groups).
    std::size_t sagas = 20000;
    /// false, true: measure without the durable saga log and with it.
    std::vector<bool> log_modes{false, true};
    /// 1: how many times each measurement runs; the log modes alternate within a run, so a
    /// change in the machine's speed touches both alike.
    int runs = 1;
    /// strict: ownership of the creates and deletes.
    Ownership ownership = Ownership::strict;
    /// empty: each run with the log starts a new one in a temporary folder. A folder here
    /// keeps one log across runs, so that a long series shows the cost as the log grows.
    std::string saga_log_dir;
    /// empty: the log is SQLite. A saga log URL (postgresql://...) puts it there instead.
    std::string saga_log_url;
    /// 1: clients sharing the log, each with its own groups (and its own thread unless
    /// one_loop); the concurrency and the sagas are split between them.
    std::size_t coordinators = 1;
    /// false: each coordinator runs its client on a thread of its own. True: all of them on
    /// one thread and one event loop, which tells what the log's sharing costs apart from
    /// what more threads cost on a small machine.
    bool one_loop = false;
    /// false: the clients keep no metrics. True: they keep them in one Prometheus registry,
    /// to measure what that costs.
    bool metrics = false;
};

struct ThroughputRow {
    std::string run;  ///< "1", "2", ... or "median"
    std::size_t concurrency = 0;
    std::size_t coordinators = 1;
    bool saga_log = false;
    std::string log_kind = "off";  ///< off, sqlite or postgresql
    std::size_t sagas = 0;
    std::size_t requests = 0;  ///< HTTP requests the sagas made, retries included
    double seconds = 0;
    double sagas_per_second = 0;
    double requests_per_second = 0;
    double client_cpu_us_per_request = 0;  ///< CPU time of the client's thread only
    double cpu_us_per_saga = 0;            ///< CPU time of the whole process: client, log and nodes
    std::size_t failed = 0;                ///< sagas that did not end ok (must be 0)
    double p50_ms = 0;                     ///< a saga's duration, median
    double p99_ms = 0;
    /// PostgreSQL transactions committed per saga during the run (every session of the
    /// database); negative when not measured.
    double transactions_per_saga = -1;
};

/// Runs creates then deletes of `sagas / 2` groups through one ClusterClient on its own
/// thread, against reference nodes served by another thread of this process (or the hosts
/// given). With several runs, a median row follows the runs of each measurement.
std::vector<ThroughputRow> run_throughput_bench(const ThroughputBenchOptions& options);

/// One measurement: `options.sagas` sagas, `concurrency` at a time, against `urls`.
ThroughputRow run_sagas(const ThroughputBenchOptions& options, const std::vector<std::string>& urls,
                        std::size_t concurrency, bool saga_log);

void print_throughput_table(std::ostream& out, const std::vector<ThroughputRow>& rows);
void print_throughput_json(std::ostream& out, const std::vector<ThroughputRow>& rows);

/// The CPU time of the calling thread, in seconds.
double thread_cpu_seconds();

/// The CPU time of the whole process, every thread, in seconds.
double process_cpu_seconds();

}  // namespace cluster_client::bench
