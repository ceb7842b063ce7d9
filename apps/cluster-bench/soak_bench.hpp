// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace cluster_client::bench {

struct SoakOptions {
    /// 10 min: how long sagas are started; the run ends once the last one has ended.
    std::chrono::seconds duration{600};
    /// 5: nodes started in this process.
    int nodes = 5;
    /// 32: sagas in flight at once.
    std::size_t concurrency = 32;
    /// 256: group ids the sagas create and delete over and over (at least `concurrency`).
    std::size_t groups = 256;
    /// 0.1: share of requests that meet a fault: a 500 before or after applying, a reset,
    /// or a hang before or after applying, in equal parts.
    double fault_rate = 0.1;
    /// 1: seed of the faults and of the choice of sagas.
    std::uint64_t seed = 1;
    /// 10 s: how often a row (sagas, outcomes, violations, memory) is printed.
    std::chrono::seconds sample_every{10};
    /// 16 MB: the most the resident memory may grow from the end of the first fifth of the
    /// run to its end for the run to pass.
    double max_growth_mb = 16;
    /// 60 s: after each row, the sagas that ended longer ago than this are pruned from the
    /// saga log, as the command line's --retention does; 0: never.
    std::chrono::seconds retention{60};
    /// 8 MB: the most the saga log's files may grow from the end of the first fifth of the
    /// run to its end for the run to pass (with retention, the log stops growing).
    double max_log_growth_mb = 8;
};

/// One sample of a soak.
struct SoakRow {
    double seconds = 0;           ///< since the start
    std::size_t sagas = 0;        ///< ended so far
    double sagas_per_second = 0;  ///< since the previous row
    std::size_t ok = 0;           ///< sagas that did what they were asked
    std::size_t rolled_back = 0;  ///< sagas that failed and left every node as it was
    std::size_t recovered = 0;    ///< sagas left open (a node kept failing) that recover() ended
    std::size_t violations = 0;   ///< invariant violations so far (must stay 0)
    double rss_mb = 0;            ///< resident memory of the whole process
    double log_mb = 0;            ///< the saga log's files (the database, its WAL)
};

struct SoakResult {
    std::vector<SoakRow> rows;
    std::vector<std::string> violations;  ///< what each violation was, first ones only
    double growth_mb = 0;                 ///< resident memory, last row minus the first fifth's
    double log_growth_mb = 0;             ///< the saga log's files, last row minus the first fifth's
    bool passed = false;                  ///< no violation, and both growths within their limits
};

/// Runs create and delete sagas for `options.duration` against in-process reference nodes
/// that fail at random, with the durable saga log on. After each saga, the nodes' real
/// state is checked: the group is on every node or on none (I1, with sagas left open first
/// ended by recover(), I4), and matches what the report said and what the group was before a
/// rollback (I2, I3). Each group has one saga at a time, so a check sees no other saga's
/// writes. `on_row` gets each row as it is sampled. Throws ConfigError for unusable options.
SoakResult run_soak(const SoakOptions& options, const std::function<void(const SoakRow&)>& on_row);

void print_soak_header(std::ostream& out);
void print_soak_row(std::ostream& out, const SoakRow& row);
void print_soak_summary(std::ostream& out, const SoakResult& result);
void print_soak_row_json(std::ostream& out, const SoakRow& row);
void print_soak_summary_json(std::ostream& out, const SoakResult& result);

}  // namespace cluster_client::bench
