// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace cluster_client::bench {

struct LatencyBenchOptions {
    /// 3,10,30,100: cluster sizes measured.
    std::vector<int> node_counts{3, 10, 30, 100};
    /// 5ms: latency every node adds to every request (timer-based, in the node).
    std::chrono::milliseconds latency{5};
    /// 30: sagas measured per size and client (after 3 warm-up sagas).
    int sagas = 30;
    /// true: also measure the sequential design (2N round trips) for comparison.
    bool sequential = true;
};

/// One measured line: a client kind and operation at one cluster size.
struct LatencyRow {
    int nodes = 0;
    std::string client;     ///< strict, fast, or sequential
    std::string operation;  ///< create or delete
    double p50_ms = 0;
    double p99_ms = 0;
    double round_trips = 0;  ///< p50 / per-request latency
};

/// Starts a reference cluster of each size in this process (on its own thread, with the
/// latency), runs the sagas one after the other, and measures each.
std::vector<LatencyRow> run_latency_bench(const LatencyBenchOptions& options);

void print_latency_table(std::ostream& out, const std::vector<LatencyRow>& rows);
void print_latency_json(std::ostream& out, const std::vector<LatencyRow>& rows);

}  // namespace cluster_client::bench
