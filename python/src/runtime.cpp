// SPDX-License-Identifier: MIT
#include "runtime.hpp"

#include <cerrno>
#include <cstdint>
#include <exception>
#include <set>
#include <system_error>
#include <utility>

#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include <cluster_client/errors.hpp>

#include "interpreter.hpp"

namespace py = pybind11;
namespace asio = boost::asio;

namespace cluster_client::python {

namespace {

std::mutex registry_mutex;
std::set<Runtime*> registry;

// The exception class (in cluster_client._errors) and message for a failure.
std::pair<const char*, std::string> describe(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        return {error_kind(error), error.what()};
    }
}

// Calls `done` with the end of a work; with the GIL held.
template <class Result>
void call(const Callback& done, const std::exception_ptr& failure, Result&& result) {
    try {
        if (failure) {
            const auto [kind, message] = describe(failure);
            (*done)(py::none(), kind, message);
        } else {
            (*done)(py::cast(std::forward<Result>(result)), py::none(), py::none());
        }
    } catch (py::error_already_set& error) {
        error.discard_as_unraisable("cluster_client completion");
    }
}

}  // namespace

const char* error_kind(const std::exception& error) {
    if (dynamic_cast<const InvalidGroupId*>(&error) != nullptr) return "InvalidGroupId";
    if (dynamic_cast<const ConfigError*>(&error) != nullptr) return "ConfigError";
    if (dynamic_cast<const SagaLogUnavailable*>(&error) != nullptr) return "SagaLogUnavailable";
    if (dynamic_cast<const RequestError*>(&error) != nullptr) return "RequestError";
    if (dynamic_cast<const GroupOperationError*>(&error) != nullptr) return "GroupOperationError";
    return "ClusterClientError";
}

Callback hold(py::object callable) {
    return {new py::object(std::move(callable)), [](py::object* object) {
                if (!python_open) return;
                py::gil_scoped_acquire gil;
                delete object;
            }};
}

Runtime::Runtime(ClientOptions options, Delivery delivery)
    : io_(std::make_unique<asio::io_context>(1)),
      client_(std::make_unique<ClusterClient>(io_->get_executor(), std::move(options))),
      work_(io_->get_executor()),
      thread_([this] { io_->run(); }),
      delivery_(delivery) {
    if (delivery_ == Delivery::mailbox) {
        wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeup_fd_ < 0) {
            const std::error_code error(errno, std::system_category());
            close();
            throw Error("cannot make the wake-up descriptor of the client: " + error.message());
        }
    }
    std::lock_guard lock(registry_mutex);
    registry.insert(this);
}

Runtime::~Runtime() {
    {
        std::lock_guard lock(registry_mutex);
        registry.erase(this);
    }
    if (!python_open) {
        abandon();
        return;
    }
    {
        py::gil_scoped_release release;
        close();
    }
    mailbox_.clear();  // with the GIL, which the ends' Python objects need
    if (wakeup_fd_ >= 0) ::close(wakeup_fd_);
}

template <class Result>
void Runtime::complete(const Callback& done, std::exception_ptr failure, Result result) {
    if (!python_open) return;
    if (delivery_ == Delivery::direct) {
        py::gil_scoped_acquire gil;
        call(done, failure, std::move(result));
        return;
    }
    bool was_empty = false;
    {
        std::lock_guard lock(mailbox_mutex_);
        was_empty = mailbox_.empty();
        mailbox_.push_back({done, std::move(failure), std::move(result)});
    }
    if (was_empty) {
        const std::uint64_t one = 1;
        // A full counter (never, at 2^64 - 1) is still readable: nothing is lost.
        [[maybe_unused]] const auto written = ::write(wakeup_fd_, &one, sizeof one);
    }
}

void Runtime::drain() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto read = ::read(wakeup_fd_, &count, sizeof count);
    std::vector<Ending> endings;
    {
        std::lock_guard lock(mailbox_mutex_);
        endings.swap(mailbox_);
    }
    for (auto& ending : endings) {
        std::visit([&](auto& result) { call(ending.done, ending.failure, std::move(result)); }, ending.result);
    }
}

void Runtime::enter() {
    std::lock_guard lock(mutex_);
    if (closed_) throw ConfigError("the client is closed");
    ++in_flight_;
}

void Runtime::leave() {
    std::lock_guard lock(mutex_);
    if (--in_flight_ == 0) idle_.notify_all();
}

void Runtime::start(Operation operation, std::string group_id, Callback callback) {
    enter();
    auto handler = [this, callback](std::exception_ptr failure, SagaReport report) {
        complete(callback, failure, std::move(report));
        leave();
    };
    switch (operation) {
        case Operation::create: client_->async_create_group(std::move(group_id), std::move(handler)); break;
        case Operation::delete_: client_->async_delete_group(std::move(group_id), std::move(handler)); break;
        case Operation::ensure: client_->async_ensure_group(std::move(group_id), std::move(handler)); break;
        case Operation::verify: client_->async_verify_group(std::move(group_id), std::move(handler)); break;
    }
}

void Runtime::verify_on_host(std::string host, std::string group_id, Callback callback) {
    enter();
    asio::co_spawn(client_->get_executor(), client_->verify_group_on_host(std::move(host), std::move(group_id)),
                   [this, callback](std::exception_ptr failure, bool present) {
                       complete(callback, failure, present);
                       leave();
                   });
}

void Runtime::recover(Callback callback) {
    enter();
    asio::co_spawn(client_->get_executor(), client_->recover(),
                   [this, callback](std::exception_ptr failure, std::vector<SagaReport> reports) {
                       complete(callback, failure, std::move(reports));
                       leave();
                   });
}

std::size_t Runtime::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

const std::vector<std::string>& Runtime::hosts() const {
    return client_->hosts();
}

void Runtime::close() {
    {
        std::unique_lock lock(mutex_);
        closed_ = true;
        idle_.wait(lock, [this] { return in_flight_ == 0; });
    }
    if (!thread_.joinable()) return;
    work_.reset();
    io_->stop();
    thread_.join();
    client_.reset();
    io_.reset();
}

void Runtime::abandon() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    if (!thread_.joinable()) return;
    io_->stop();
    thread_.join();
    // The sagas' coroutines and the saga log stay as they are, open in the log, and are never
    // destroyed: the process is ending.
    (void)client_.release();
    (void)io_.release();
}

void Runtime::abandon_all() {
    python_open = false;
    std::lock_guard lock(registry_mutex);
    for (Runtime* runtime : registry) runtime->abandon();
}

}  // namespace cluster_client::python
