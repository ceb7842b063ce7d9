// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include <cluster_client/options.hpp>

namespace cluster_client::bench {

struct ThroughputBenchOptions {
    /// 5: nodes in the cluster.
    int nodes = 5;
    /// 128: sagas in flight at once.
    std::size_t concurrency = 128;
    /// 20000: sagas per measurement (half creates, then as many deletes of the same groups).
    std::size_t sagas = 20000;
    /// true, false: measure with the durable saga log and without it.
    std::vector<bool> log_modes{false, true};
    /// strict: ownership of the creates.
    Ownership ownership = Ownership::strict;
};

struct ThroughputRow {
    bool saga_log = false;
    std::size_t sagas = 0;
    double seconds = 0;
    double sagas_per_second = 0;
    double requests_per_second = 0;
    double client_cpu_us_per_request = 0;  ///< CPU time of the client's thread only
    std::size_t failed = 0;                ///< sagas that did not end ok (must be 0)
};

/// Runs creates then deletes of `sagas / 2` groups through one ClusterClient on its own
/// thread, against reference nodes served by another thread of this process.
std::vector<ThroughputRow> run_throughput_bench(const ThroughputBenchOptions& options);

void print_throughput_table(std::ostream& out, const std::vector<ThroughputRow>& rows);
void print_throughput_json(std::ostream& out, const std::vector<ThroughputRow>& rows);

}  // namespace cluster_client::bench
