// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/system/error_code.hpp>

#include "log/job.hpp"
#include "log/postgres/fence.hpp"
#include "log/postgres/store.hpp"

namespace cluster_client::log::postgres {

using Job = log::Job<Store>;

/// How a PostgreSQL log's write failed, as its callers hear it ("postgres saga log" category).
enum class LogErrc {
    unreachable = 1,  ///< the server could not be reached, or the connection broke
    lease_expired,    ///< the coordinator's lease expired: its sagas may be taken over
    refused,          ///< the server refused the batch
};
boost::system::error_code make_error_code(LogErrc errc);

/// The log's own thread, the only one that touches its Store. Group commit: while one batch
/// is on its way to the server, new writes queue up, and the next batch carries them all
/// (up to max_batch) in one transaction. With several sagas running, a batch also waits, up
/// to its window, until every saga this coordinator runs has a write queued. The window is
/// the commit window times the coordinators sharing the log (at most max_window_scale
/// times): they share the server's commits, so each commits less often the more there are.
/// Between batches it renews the coordinator's lease, every third of its time to live, and
/// learns how many coordinators share the log. Results are posted to their callers'
/// executors.
class Writer {
public:
    /// Connects and takes a lease (Store's constructor); throws PgError or ConfigError.
    Writer(const Store::Options& options, std::size_t max_batch, std::chrono::microseconds commit_window, Fence& fence);
    /// Commits every job still queued, delivers their results, gives the lease up.
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// `saga`: the saga whose step waits for this write; 0 for a begin or a read.
    void submit(std::unique_ptr<Job> job, saga::SagaId saga = 0);
    std::uint64_t commits() const { return commits_.load(); }
    /// How long a batch may wait now for more writes.
    std::chrono::microseconds window() const { return std::chrono::microseconds(window_us_.load()); }

    /// The most coordinators the window grows for, so that a large fleet does not make every
    /// durable step wait long.
    static constexpr std::size_t max_window_scale = 4;

private:
    void loop();
    bool window_full() const;
    void renew();
    void follow_coordinators();
    void process(const std::vector<std::unique_ptr<Job>>& batch);
    void commit(const std::vector<Job*>& jobs);

    std::size_t max_batch_;
    std::chrono::microseconds commit_window_;
    std::chrono::milliseconds renew_every_;
    Store store_;
    std::atomic<std::uint64_t> commits_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Job>> queue_;
    std::unordered_set<saga::SagaId> waiting_sagas_;  ///< sagas with a write in queue_
    bool idle_ = false;
    std::size_t window_target_ = 0;  ///< in a window: the waiting sagas that end it
    std::size_t coordinators_;       ///< sharing the log, as the window was last set for
    std::atomic<std::int64_t> window_us_;
    bool stopping_ = false;
    Fence::Clock::time_point next_renewal_;
    std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace cluster_client::log::postgres

template <>
struct boost::system::is_error_code_enum<cluster_client::log::postgres::LogErrc> : std::true_type {};
