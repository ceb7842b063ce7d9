// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace cluster_client::saga {

/// One saga per group in this process (invariant I5): a second saga on a group waits, up to
/// a limit, for the first to end. First come, first served. Not thread-safe: used from the
/// client's strand only.
class GroupLocks {
public:
    /// True once `group` is held by the caller; false when `wait` passed first.
    boost::asio::awaitable<bool> acquire(const std::string& group, std::chrono::milliseconds wait);
    /// Hands `group` to the next waiter, or frees it.
    void release(const std::string& group);

    std::size_t held() const { return groups_.size(); }

private:
    struct Waiter {
        boost::asio::steady_timer* timer;
        bool granted = false;
    };
    // A group present in the map is held; its waiters queue in order.
    std::unordered_map<std::string, std::deque<Waiter*>> groups_;
};

/// Holds a group for a scope.
class GroupLease {
public:
    GroupLease(GroupLocks& locks, std::string group) : locks_(&locks), group_(std::move(group)) {}
    GroupLease(const GroupLease&) = delete;
    GroupLease& operator=(const GroupLease&) = delete;
    ~GroupLease() { locks_->release(group_); }

private:
    GroupLocks* locks_;
    std::string group_;
};

}  // namespace cluster_client::saga
