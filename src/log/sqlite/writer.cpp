// SPDX-License-Identifier: MIT
#include "log/sqlite/writer.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <spdlog/logger.h>
#include <sqlite3.h>

#include <cluster_client/errors.hpp>

#include "log/codec.hpp"
#include "log/sqlite/error.hpp"
#include "logging/logger.hpp"

namespace cluster_client::log::sqlite {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::mutex hook_mutex;
CommitHook installed_hook;

CommitHook current_hook() {
    std::lock_guard lock(hook_mutex);
    return installed_hook;
}

const std::filesystem::path& checked_path(const WriterOptions& options) {
    if (options.path.empty()) throw ConfigError("the saga log path is empty");
    if (options.max_batch == 0) throw ConfigError("the saga log's max_batch must be at least 1");
    return options.path;
}

}  // namespace

void set_commit_hook(CommitHook hook) {
    std::lock_guard lock(hook_mutex);
    installed_hook = std::move(hook);
}

Writer::Writer(const WriterOptions& options)
    : path_(options.path),
      logger_(logging::or_silent(options.logger)),
      max_batch_(options.max_batch),
      commit_window_(options.commit_window),
      after_commit_(current_hook()),
      store_(checked_path(options), options.durability),
      thread_([this] { loop(); }) {}

Writer::~Writer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

// A wake-up costs the caller a system call and the writer a context switch, so a job
// wakes the writer only if it waits for work, or if the job completes the batch its
// commit window waits for; any other job joins that batch without a sound.
void Writer::submit(std::unique_ptr<Job> job) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
        wake = idle_ || (window_target_ != 0 && queue_.size() == window_target_);
    }
    if (wake) wake_.notify_one();
}

void Writer::loop() {
    std::vector<std::unique_ptr<Job>> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(mutex_);
            idle_ = true;
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            idle_ = false;
            // Stopping only once the queue is empty: the destructor drains it.
            if (queue_.empty()) return;
            // With other sagas running, waiting a moment lets their writes join this
            // commit: a commit's fixed cost (locks, WAL frames) dwarfs a record's. The
            // wait ends once half the open sagas have a write queued; a lone saga never
            // waits.
            const auto enough = std::min(max_batch_, std::max<std::size_t>(2, store_.running() / 2));
            if (store_.running() > 1 && queue_.size() < enough && commit_window_.count() > 0) {
                window_target_ = enough;
                wake_.wait_for(lock, commit_window_, [&] { return stopping_ || queue_.size() >= enough; });
                window_target_ = 0;
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        try {
            process(batch);
        } catch (const std::exception& error) {
            logger_->critical("saga log {}: {}", path_.string(), error.what());
        }
        deliver_all<Store>(std::move(batch));
    }
}

void Writer::process(const std::vector<std::unique_ptr<Job>>& batch) {
    const std::int64_t now = now_ms();
    std::vector<Job*> writes;
    std::vector<Job*> reads;
    for (const auto& job : batch) (job->writes() ? writes : reads).push_back(job.get());
    if (!writes.empty()) commit(writes, now);
    for (Job* read : reads) {
        try {
            read->complete(read->run(store_, now), {});
        } catch (const SqliteError& error) {
            read->complete(error.error(), error.what());
        } catch (const std::exception& error) {
            read->complete(error_code(SQLITE_ERROR, sqlite_category()), error.what());
        }
    }
}

void Writer::commit(const std::vector<Job*>& jobs, std::int64_t now) {
    std::vector<error_code> results(jobs.size());
    error_code failure;
    std::string detail;
    try {
        store_.begin_transaction();
        for (std::size_t i = 0; i < jobs.size(); ++i) results[i] = jobs[i]->run(store_, now);
        store_.commit_transaction();
    } catch (const SqliteError& error) {
        failure = error.error();
        detail = error.what();
    } catch (const std::exception& error) {
        failure = error_code(SQLITE_ERROR, sqlite_category());
        detail = error.what();
    }
    if (failure) {
        store_.rollback_transaction();
        logger_->error("saga log {}: a batch of {} writes failed: {}", path_.string(), jobs.size(), detail);
        for (Job* job : jobs) job->complete(failure, detail);
        return;
    }
    const std::uint64_t committed = commits_.fetch_add(1) + 1;
    if (after_commit_) after_commit_(committed);
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i]->complete(results[i], {});
}

}  // namespace cluster_client::log::sqlite
