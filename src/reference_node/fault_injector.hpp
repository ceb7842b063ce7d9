// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/options.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace cluster_client::reference_node {

/// The single fault (if any) a node applies to one request.
enum class Fault {
    none,
    error_before,  ///< answer 500, not applied
    error_after,   ///< applied, then answer 500
    hang_before,   ///< never answer, not applied
    hang_after,    ///< applied, never answer
    reset,         ///< connection reset, not applied
};

/// What a node does with one request: wait `latency`, then apply `fault`.
struct RequestFate {
    Fault fault = Fault::none;
    std::chrono::milliseconds latency{0};
};

/// Decides the fate of each request of one node. Thread-safe; the draws of one node form one
/// reproducible sequence, whichever thread asks.
class FaultInjector {
public:
    /// Takes `faults` for node `index` and restarts its generator at `faults.seed + index`.
    void configure(const FaultOptions& faults, int index);

    /// The fate of the next request: one uniform draw when the node is faulty.
    RequestFate next();

    /// How many requests got each fault since the start, in the order of Fault (none first).
    std::array<std::uint64_t, 6> injected() const;

private:
    mutable std::mutex mutex_;
    std::mt19937_64 generator_{1};
    // Upper bounds of the fault bands in [0, 1), in the order of the Fault enumerators.
    std::array<double, 5> band_ends_{};
    bool faulty_ = false;
    std::chrono::milliseconds latency_{0};
    std::array<std::uint64_t, 6> injected_{};
};

}  // namespace cluster_client::reference_node
