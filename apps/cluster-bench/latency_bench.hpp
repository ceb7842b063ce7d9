// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace cluster_client::bench {

struct LatencyBenchOptions {
    /// 1,3,10,30,100: cluster sizes measured (reference nodes started in this process).
    std::vector<int> node_counts{1, 3, 10, 30, 100};
    /// empty: measure against these hosts instead (one size: their number).
    std::vector<std::string> hosts;
    /// 1: threads serving the in-process nodes. They share the machine's cores with the
    /// client; on two cores a second node thread makes a 1000-node saga slower (three busy
    /// threads contend), not faster.
    int node_threads = 1;
    /// 5ms: latency every in-process node adds to every request (a timer in the node).
    std::chrono::milliseconds latency{5};
    /// 30: sagas measured per size and client (after 3 warm-up sagas).
    int sagas = 30;
    /// 1: runs of the whole measurement; with more, each row gives the median of the runs'
    /// p50 and p99, which tames a machine whose speed drifts.
    int runs = 1;
    /// 100: the sequential design (2N round trips) is measured up to this many nodes; at
    /// 1000 nodes and 5 ms one of its sagas takes 10 s.
    int sequential_max_nodes = 100;
};

/// One measured line: a client kind and operation at one cluster size.
struct LatencyRow {
    int nodes = 0;
    std::string client;     ///< strict, fast, or sequential
    std::string operation;  ///< create or delete
    double p50_ms = 0;
    double p99_ms = 0;
    double round_trips = 0;  ///< p50 / per-request latency (0 when the latency is unknown)
};

/// For each size (and each run), starts a reference cluster in this process (on its own thread, with the
/// latency) or uses the given hosts, runs the sagas one after the other and measures each.
std::vector<LatencyRow> run_latency_bench(const LatencyBenchOptions& options);

void print_latency_table(std::ostream& out, const std::vector<LatencyRow>& rows);
void print_latency_json(std::ostream& out, const std::vector<LatencyRow>& rows);

}  // namespace cluster_client::bench
