// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
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
/// (up to max_batch) in one transaction; with several sagas running, a batch also waits up
/// to the commit window for as many writes as sagas run. Between batches it renews the
/// coordinator's lease, every third of its time to live. Results are posted to their
/// callers' executors.
class Writer {
public:
    /// Connects and takes a lease (Store's constructor); throws PgError or ConfigError.
    Writer(const Store::Options& options, std::size_t max_batch, std::chrono::microseconds commit_window, Fence& fence);
    /// Commits every job still queued, delivers their results, gives the lease up.
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void submit(std::unique_ptr<Job> job);
    std::uint64_t commits() const { return commits_.load(); }

private:
    void loop();
    void renew();
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
    bool idle_ = false;
    std::size_t window_target_ = 0;  ///< in a commit window: the queue size that ends it
    bool stopping_ = false;
    Fence::Clock::time_point next_renewal_;
    std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace cluster_client::log::postgres

template <>
struct boost::system::is_error_code_enum<cluster_client::log::postgres::LogErrc> : std::true_type {};
