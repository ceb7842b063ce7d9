// SPDX-License-Identifier: MIT
#pragma once

#include "reference_node/fault_injector.hpp"
#include "reference_node/node_state.hpp"
#include "reference_node/options.hpp"

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace cluster_client::reference_node {

/// Everything the nodes of one cluster store and decide, without any I/O: their groups,
/// request counters and fault injectors. Thread-safe, except set_urls (called once, before
/// the cluster serves).
class ClusterState {
public:
    /// Throws ConfigError when `faults` is unusable for `nodes` nodes.
    ClusterState(int nodes, const FaultOptions& faults, unsigned delete_missing_status);

    int size() const noexcept { return static_cast<int>(nodes_.size()); }

    /// Throws std::out_of_range when `index` is not a node.
    NodeState& node(int index);
    const NodeState& node(int index) const;

    /// The fate of the next request to node `index`; counts the request.
    RequestFate admit_request(int index);

    /// How many requests to node `index` got each fault (Fault's order, none first).
    std::array<std::uint64_t, 6> injected(int index) const;

    /// Replaces the faults of every node and restarts their generators. Throws ConfigError
    /// when `faults` is unusable.
    void set_faults(FaultOptions faults);
    FaultOptions faults() const;

    /// Removes every group of every node and zeroes the request counters.
    void clear();

    unsigned delete_missing_status() const noexcept { return delete_missing_status_; }

    void set_urls(std::vector<std::string> urls) { urls_ = std::move(urls); }
    const std::vector<std::string>& urls() const noexcept { return urls_; }

private:
    std::size_t checked(int index) const;

    std::vector<NodeState> nodes_;
    std::vector<FaultInjector> injectors_;
    mutable std::mutex faults_mutex_;
    FaultOptions faults_;
    unsigned delete_missing_status_;
    std::vector<std::string> urls_;
};

}  // namespace cluster_client::reference_node
