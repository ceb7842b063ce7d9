// SPDX-License-Identifier: MIT
#include "reference_node/cluster_state.hpp"

#include "cluster_client/errors.hpp"

#include <stdexcept>

namespace cluster_client::reference_node {

ClusterState::ClusterState(int nodes, const FaultOptions& faults, unsigned delete_missing_status)
    : nodes_(static_cast<std::size_t>(nodes > 0 ? nodes : 0)),
      injectors_(nodes_.size()),
      delete_missing_status_(delete_missing_status) {
    set_faults(faults);
}

std::size_t ClusterState::checked(int index) const {
    if (index < 0 || index >= size()) {
        throw std::out_of_range("node index " + std::to_string(index) + " is not in [0, " + std::to_string(size()) +
                                ")");
    }
    return static_cast<std::size_t>(index);
}

NodeState& ClusterState::node(int index) {
    return nodes_[checked(index)];
}

const NodeState& ClusterState::node(int index) const {
    return nodes_[checked(index)];
}

RequestFate ClusterState::admit_request(int index) {
    const std::size_t i = checked(index);
    nodes_[i].count_request();
    return injectors_[i].next();
}

std::array<std::uint64_t, 6> ClusterState::injected(int index) const {
    return injectors_[checked(index)].injected();
}

void ClusterState::set_faults(FaultOptions faults) {
    if (auto why = fault_options_error(faults, size())) throw ConfigError(*why);
    // Held across the loop so that two concurrent calls never leave a mix of both.
    const std::lock_guard lock(faults_mutex_);
    for (std::size_t i = 0; i < injectors_.size(); ++i) {
        injectors_[i].configure(faults, static_cast<int>(i));
    }
    faults_ = std::move(faults);
}

FaultOptions ClusterState::faults() const {
    const std::lock_guard lock(faults_mutex_);
    return faults_;
}

void ClusterState::clear() {
    for (NodeState& node : nodes_) {
        node.clear();
        node.reset_requests();
    }
}

}  // namespace cluster_client::reference_node
