// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/errc.hpp>

#include <cluster_client/errors.hpp>

#include <type_traits>
#include <vector>

#include <boost/asio/dispatch.hpp>

namespace cluster_client::log {

/// A request to an adapter's log thread, which alone touches its Store. Writes run inside
/// their batch's transaction; a write that returns an error is rejected alone and must have
/// changed nothing, while a thrown exception fails the whole batch. Reads run after the
/// batch has committed. complete() runs on the log thread and only stores the result;
/// deliver() hands it to the caller, on the caller's executor.
template <class Store>
class Job {
public:
    virtual ~Job() = default;
    virtual bool writes() const { return true; }
    virtual boost::system::error_code run(Store& store, std::int64_t now) = 0;
    virtual void complete(boost::system::error_code error, const std::string& detail) = 0;
    /// Where deliver() must run.
    virtual const boost::asio::any_completion_executor& executor() const = 0;
    virtual void deliver() = 0;
};

/// What a caller hears about a job the writer thread never got to (it failed unexpectedly).
inline boost::system::error_code not_committed() {
    return make_error_code(boost::system::errc::io_error);
}

/// The handler's executor, holding outstanding work so that an io_context does not run out
/// of work while a job waits for its commit. A handler without an executor of its own runs
/// on the system pool, never on the writer thread.
template <class Handler>
boost::asio::any_completion_executor completion_executor(const Handler& handler) {
    namespace asio = boost::asio;
    const auto fallback = asio::require(asio::system_executor(), asio::execution::blocking.never);
    return asio::prefer(asio::get_associated_executor(handler, fallback), asio::execution::outstanding_work.tracked);
}

/// A write whose caller hears an error code: none once it is durable, invalid_argument when
/// `action` (bool(Store&, now)) returns false (it names no open saga, or a host the saga
/// does not have). The action is kept as it is, not in a std::function: a fact is the
/// hottest write, and this spares it an allocation.
template <class Store, class Action>
class WriteJob final : public Job<Store> {
public:
    using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    WriteJob(Action action, Handler handler)
        : action_(std::move(action)), executor_(completion_executor(handler)), handler_(std::move(handler)) {}

    boost::system::error_code run(Store& store, std::int64_t now) override {
        if (action_(store, now)) return {};
        return make_error_code(boost::system::errc::invalid_argument);
    }
    void complete(boost::system::error_code error, const std::string&) override { error_ = error; }
    const boost::asio::any_completion_executor& executor() const override { return executor_; }
    void deliver() override { std::move(handler_)(error_); }

private:
    Action action_;
    boost::asio::any_completion_executor executor_;
    Handler handler_;
    boost::system::error_code error_ = not_committed();
};

template <class Store, class Action>
std::unique_ptr<Job<Store>> write_job(Action action, typename WriteJob<Store, Action>::Handler handler) {
    return std::make_unique<WriteJob<Store, Action>>(std::move(action), std::move(handler));
}

/// A write or a read with a result of type T (`action` is T(Store&, now)), whose caller
/// hears an error code with it (Signature void(error_code, T)) or an exception naming the
/// log (void(exception_ptr, T)).
template <class Store, class Signature, class Action>
class ResultJob;

template <class Store, class Status, class T, class Action>
class ResultJob<Store, void(Status, T), Action> final : public Job<Store> {
public:
    using Handler = boost::asio::any_completion_handler<void(Status, T)>;

    /// `writes`: run inside the batch's transaction; else after it has committed.
    /// `log_name` prefixes the message of an exception; it outlives the job's completion.
    ResultJob(bool writes, Action action, const std::string& log_name, Handler handler)
        : writes_(writes),
          action_(std::move(action)),
          log_name_(log_name),
          executor_(completion_executor(handler)),
          handler_(std::move(handler)) {}

    bool writes() const override { return writes_; }
    boost::system::error_code run(Store& store, std::int64_t now) override {
        value_ = action_(store, now);
        return {};
    }
    void complete(boost::system::error_code error, const std::string& detail) override {
        if (!error) {
            status_ = Status{};
            return;
        }
        value_ = T{};
        if constexpr (std::is_same_v<Status, std::exception_ptr>) {
            status_ = std::make_exception_ptr(Error(log_name_ + ": " + (detail.empty() ? error.message() : detail)));
        } else {
            status_ = error;
        }
    }
    const boost::asio::any_completion_executor& executor() const override { return executor_; }
    void deliver() override { std::move(handler_)(std::move(status_), std::move(value_)); }

private:
    bool writes_;
    Action action_;
    const std::string& log_name_;
    boost::asio::any_completion_executor executor_;
    Handler handler_;
    T value_{};
    Status status_ = initial_status();

    static Status initial_status() {
        if constexpr (std::is_same_v<Status, std::exception_ptr>) {
            return std::make_exception_ptr(Error("saga log: the write was never committed"));
        } else {
            return not_committed();
        }
    }
};

template <class Store, class Signature, class Action>
std::unique_ptr<Job<Store>> result_job(bool writes, Action action, const std::string& log_name,
                                       typename ResultJob<Store, Signature, Action>::Handler handler) {
    return std::make_unique<ResultJob<Store, Signature, Action>>(writes, std::move(action), log_name,
                                                                 std::move(handler));
}

/// Hands the results of a batch to their callers: one dispatch per executor, not per job,
/// so a batch of a hundred writes from one client wakes it once.
template <class Store>
void deliver_all(std::vector<std::unique_ptr<Job<Store>>> jobs) {
    while (!jobs.empty()) {
        const auto& executor = jobs.front()->executor();
        std::vector<std::unique_ptr<Job<Store>>> same;
        std::vector<std::unique_ptr<Job<Store>>> rest;
        for (auto& job : jobs) (job->executor() == executor ? same : rest).push_back(std::move(job));
        // any_completion_executor cannot be required to be never-blocking, which post
        // needs; dispatch queues all the same, since the log thread runs no executor.
        auto target = same.front()->executor();
        boost::asio::dispatch(target, [same = std::move(same)]() mutable {
            for (auto& job : same) job->deliver();
        });
        jobs = std::move(rest);
    }
}

}  // namespace cluster_client::log
