// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace cluster_client::bench {

struct CpuBenchOptions {
    /// 64: connections (wrk) and requests or sagas in flight (this client).
    std::size_t connections = 64;
    /// 5: seconds wrk runs.
    int wrk_seconds = 5;
    /// 100000: GET requests of the plain HTTP layer, and sagas / 10 of the saga client.
    std::size_t requests = 100000;
    /// "wrk": the wrk program (Debian package wrk), looked up on PATH.
    std::string wrk = "wrk";
};

/// The CPU one load generator spent per request against the same node.
struct CpuRow {
    std::string client;  ///< wrk, http (this project's pool, GET only), sagas (strict create + delete)
    std::size_t requests = 0;
    double seconds = 0;
    double requests_per_second = 0;
    double cpu_us_per_request = 0;
    double versus_wrk = 0;  ///< cpu_us_per_request / wrk's
};

/// Starts one reference node on a thread of this process and loads it three ways: wrk
/// (its CPU is that of the child process), this project's HTTP pool sending GETs, and the
/// saga client (the CPU of the load thread only, nodes excluded). Throws Error when wrk
/// cannot be run.
std::vector<CpuRow> run_cpu_bench(const CpuBenchOptions& options);

void print_cpu_table(std::ostream& out, const std::vector<CpuRow>& rows);
void print_cpu_json(std::ostream& out, const std::vector<CpuRow>& rows);

}  // namespace cluster_client::bench
