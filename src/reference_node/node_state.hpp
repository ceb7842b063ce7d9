// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cluster_client::reference_node {

/// What one node stores: the set of its group ids, and how many requests it received.
/// Every member is thread-safe; a node may be served by several threads at once.
class NodeState {
public:
    /// Adds `id`; false when it was already there.
    bool insert(std::string id);
    /// Removes `id`; false when it was not there.
    bool erase(std::string_view id);
    bool contains(std::string_view id) const;
    /// The group ids, sorted.
    std::vector<std::string> groups() const;
    /// Removes every group (the request counter is kept).
    void clear();

    void count_request() noexcept { requests_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t requests() const noexcept { return requests_.load(std::memory_order_relaxed); }
    void reset_requests() noexcept { requests_.store(0, std::memory_order_relaxed); }

private:
    mutable std::mutex mutex_;
    // Ordered so that listings come out sorted without a copy-and-sort.
    std::set<std::string, std::less<>> groups_;
    std::atomic<std::uint64_t> requests_{0};
};

}  // namespace cluster_client::reference_node
