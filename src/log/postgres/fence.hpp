// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <mutex>
#include <unordered_set>

#include "saga/log_records.hpp"

namespace cluster_client::log::postgres {

/// What a coordinator may still do on the nodes, by its lease (docs/fleet.md): the lease's
/// end on this machine's monotonic clock, counted from before the renewal was sent, and the
/// sagas this lease holds. The log's thread updates it; the sagas' thread asks it before
/// every node request. Never waits on the database.
class Fence {
public:
    using Clock = std::chrono::steady_clock;

    /// A request must end this long before the lease does: the clocks of this machine and
    /// the database's may drift apart over a lease, and a node may apply a request a
    /// little after its sender stopped waiting for it.
    static constexpr std::chrono::milliseconds margin{500};

    /// True when saga `saga` is held by the current lease and a request ending by `until`
    /// ends at least `margin` before the lease does.
    bool may_send(saga::SagaId saga, Clock::time_point until) const {
        std::lock_guard lock(mutex_);
        return until + margin <= lease_end_ && held_.contains(saga);
    }

    void renewed(Clock::time_point lease_end) {
        std::lock_guard lock(mutex_);
        lease_end_ = lease_end;
    }
    void hold(saga::SagaId saga) {
        std::lock_guard lock(mutex_);
        held_.insert(saga);
    }
    void release(saga::SagaId saga) {
        std::lock_guard lock(mutex_);
        held_.erase(saga);
    }
    /// The lease is gone: no saga of it may send anything again.
    void lost() {
        std::lock_guard lock(mutex_);
        lease_end_ = Clock::time_point{};
        held_.clear();
    }

private:
    mutable std::mutex mutex_;
    Clock::time_point lease_end_{};
    std::unordered_set<saga::SagaId> held_;
};

}  // namespace cluster_client::log::postgres
