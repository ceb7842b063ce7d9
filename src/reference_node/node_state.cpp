// SPDX-License-Identifier: MIT
#include "reference_node/node_state.hpp"

namespace cluster_client::reference_node {

bool NodeState::insert(std::string id) {
    const std::lock_guard lock(mutex_);
    return groups_.insert(std::move(id)).second;
}

bool NodeState::erase(std::string_view id) {
    const std::lock_guard lock(mutex_);
    const auto it = groups_.find(id);
    if (it == groups_.end()) return false;
    groups_.erase(it);
    return true;
}

bool NodeState::contains(std::string_view id) const {
    const std::lock_guard lock(mutex_);
    return groups_.find(id) != groups_.end();
}

std::vector<std::string> NodeState::groups() const {
    const std::lock_guard lock(mutex_);
    return {groups_.begin(), groups_.end()};
}

void NodeState::clear() {
    const std::lock_guard lock(mutex_);
    groups_.clear();
}

}  // namespace cluster_client::reference_node
