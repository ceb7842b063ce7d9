// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/system/error_code.hpp>

#include <cluster_client/options.hpp>

#include "log/job.hpp"
#include "log/sqlite/store.hpp"

namespace cluster_client::log::sqlite {

using Job = log::Job<Store>;

/// Called on the writer thread right after each commit, with the number of commits so far.
using CommitHook = std::function<void(std::uint64_t commits)>;

/// A test seam: every log opened after this call runs `hook` after each commit (a crash
/// test stops the process there, as kill -9 would). Nothing but a test sets it.
void set_commit_hook(CommitHook hook);

struct WriterOptions {
    std::filesystem::path path;
    Durability durability = Durability::process;
    std::size_t max_batch = 1024;
    std::chrono::microseconds commit_window{1000};
    std::shared_ptr<spdlog::logger> logger = default_logger();  ///< null: nothing is logged
};

/// The log's own thread, the only one that touches its Store. Group commit: the thread
/// takes everything queued, up to max_batch, and commits the writes among it in one
/// transaction, so one sync covers every saga waiting at that moment; then it posts each
/// result to its caller's executor. It never runs a caller's handler itself.
class Writer {
public:
    /// Opens the store; throws ConfigError as Store does.
    explicit Writer(const WriterOptions& options);
    /// Commits every job still queued, delivers their results, then stops the thread.
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void submit(std::unique_ptr<Job> job);

    std::uint64_t commits() const { return commits_.load(); }
    const std::filesystem::path& path() const { return path_; }

private:
    void loop();
    void process(const std::vector<std::unique_ptr<Job>>& batch);
    void commit(const std::vector<Job*>& jobs, std::int64_t now);

    std::filesystem::path path_;
    std::shared_ptr<spdlog::logger> logger_;
    std::size_t max_batch_;
    std::chrono::microseconds commit_window_;
    CommitHook after_commit_;
    Store store_;
    std::atomic<std::uint64_t> commits_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Job>> queue_;
    bool idle_ = false;              ///< the thread waits for a first job
    std::size_t window_target_ = 0;  ///< in a commit window: the queue size that ends it
    bool stopping_ = false;
    std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace cluster_client::log::sqlite
