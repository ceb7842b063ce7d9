// SPDX-License-Identifier: MIT
#include "log/postgres/writer.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/logger.h>

namespace cluster_client::log::postgres {

using boost::system::error_code;

namespace {

// Boost's categories have a protected, non-virtual destructor on purpose: they live as
// statics and are never deleted through the base.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class LogCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "postgres saga log"; }
    std::string message(int value) const override {
        switch (static_cast<LogErrc>(value)) {
            case LogErrc::unreachable: return "the PostgreSQL saga log cannot be reached";
            case LogErrc::lease_expired:
                return "this coordinator's lease on the saga log has expired; another coordinator takes its sagas over";
            case LogErrc::refused: return "the PostgreSQL saga log refused the write";
        }
        return "unknown saga log error";
    }
};
#pragma GCC diagnostic pop

const LogCategory category;

// A batch that failed on a deadlock or a serialisation conflict changed nothing and is
// sent again, at most this many times.
constexpr int max_retries = 3;

std::int64_t window_for(std::chrono::microseconds commit_window, std::size_t coordinators) {
    return commit_window.count() *
           static_cast<std::int64_t>(std::clamp<std::size_t>(coordinators, 1, Writer::max_window_scale));
}

}  // namespace

error_code make_error_code(LogErrc errc) {
    return {static_cast<int>(errc), category};
}

Writer::Writer(const Store::Options& options, std::size_t max_batch, std::chrono::microseconds commit_window,
               Fence& fence)
    : max_batch_(max_batch),
      commit_window_(commit_window),
      renew_every_(options.lease_ttl / 3),
      store_(options, fence),
      coordinators_(store_.coordinators()),
      window_us_(window_for(commit_window, coordinators_)),
      next_renewal_(Fence::Clock::now() + renew_every_),
      thread_([this] { loop(); }) {}

Writer::~Writer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

// A job wakes the thread only if it waits for work, or if the job completes the batch its
// window waits for.
void Writer::submit(std::unique_ptr<Job> job, saga::SagaId saga) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
        if (saga != 0) waiting_sagas_.insert(saga);
        wake = idle_ || (window_target_ != 0 && window_full());
    }
    if (wake) wake_.notify_one();
}

// Under mutex_, in a window.
bool Writer::window_full() const {
    return waiting_sagas_.size() >= window_target_ || queue_.size() >= max_batch_;
}

void Writer::loop() {
    std::vector<std::unique_ptr<Job>> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(mutex_);
            idle_ = true;
            wake_.wait_until(lock, next_renewal_, [this] { return stopping_ || !queue_.empty(); });
            idle_ = false;
            if (stopping_ && queue_.empty()) return;
            // With other sagas running, a moment's wait lets their writes join this
            // transaction: its fixed cost (a round trip, the function call, the WAL flush,
            // the wake-ups on both sides) dwarfs a record's. It ends once every saga this
            // coordinator runs has a write queued: they all wait for this batch, and more
            // waiting would only delay them. Counting writes instead of sagas ended it too
            // soon, since one step on each node writes a fact at about the same moment
            // (docs/PERFORMANCE.md).
            if (!queue_.empty() && store_.running() > 1 && commit_window_.count() > 0) {
                window_target_ = store_.running();
                wake_.wait_for(lock, window(), [this] { return stopping_ || window_full(); });
                window_target_ = 0;
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            // A batch cut at max_batch keeps the set whole: the next window may end early,
            // never late.
            if (queue_.empty()) waiting_sagas_.clear();
        }
        if (Fence::Clock::now() >= next_renewal_) renew();
        if (batch.empty()) continue;
        try {
            process(batch);
        } catch (const std::exception& error) {
            store_.logger().critical("{}: {}", store_.shown_url(), error.what());
        }
        deliver_all<Store>(std::move(batch));
    }
}

// A failed renewal is tried again soon: the lease still runs for two thirds of its time.
void Writer::renew() {
    try {
        store_.renew_lease();
        next_renewal_ = Fence::Clock::now() + renew_every_;
        follow_coordinators();
    } catch (const std::exception& error) {
        store_.logger().warn("cannot renew the coordinator's lease: {}", error.what());
        next_renewal_ =
            Fence::Clock::now() + std::min<std::chrono::milliseconds>(renew_every_, std::chrono::milliseconds(500));
    }
}

void Writer::follow_coordinators() {
    const auto coordinators = store_.coordinators();
    if (coordinators == coordinators_) return;
    coordinators_ = coordinators;
    window_us_ = window_for(commit_window_, coordinators);
    store_.logger().info("{}: {} coordinators share the log; a batch waits up to {} us for more writes",
                         store_.shown_url(), coordinators, window_us_.load());
}

void Writer::process(const std::vector<std::unique_ptr<Job>>& batch) {
    std::vector<Job*> writes;
    std::vector<Job*> reads;
    for (const auto& job : batch) (job->writes() ? writes : reads).push_back(job.get());
    if (!writes.empty()) commit(writes);
    for (Job* read : reads) {
        try {
            read->complete(read->run(store_, 0), {});
        } catch (const PgError& error) {
            if (error.sqlstate() == lease_expired_state) store_.lose_lease();
            read->complete(make_error_code(error.sqlstate().empty() ? LogErrc::unreachable : LogErrc::refused),
                           error.what());
        } catch (const std::exception& error) {
            read->complete(make_error_code(LogErrc::refused), error.what());
        }
    }
}

void Writer::commit(const std::vector<Job*>& jobs) {
    std::vector<error_code> results(jobs.size());
    error_code failure;
    std::string detail;
    for (int attempt = 0;; ++attempt) {
        failure = {};
        try {
            store_.ensure_ready();
            store_.begin_transaction();
            for (std::size_t i = 0; i < jobs.size(); ++i) results[i] = jobs[i]->run(store_, 0);
            store_.commit();
            break;
        } catch (const PgError& error) {
            store_.rollback();
            detail = error.what();
            const bool conflict = error.sqlstate() == deadlock_state || error.sqlstate() == serialization_state;
            if (conflict && attempt < max_retries) continue;
            if (error.sqlstate() == lease_expired_state) {
                store_.lose_lease();
                failure = make_error_code(LogErrc::lease_expired);
            } else {
                failure = make_error_code(error.sqlstate().empty() ? LogErrc::unreachable : LogErrc::refused);
            }
            break;
        } catch (const std::exception& error) {
            store_.rollback();
            detail = error.what();
            failure = make_error_code(LogErrc::refused);
            break;
        }
    }
    if (failure) {
        store_.logger().error("a batch of {} writes failed: {}", jobs.size(), detail);
        for (Job* job : jobs) job->complete(failure, detail);
        return;
    }
    commits_.fetch_add(1);
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i]->complete(results[i], {});
}

}  // namespace cluster_client::log::postgres
