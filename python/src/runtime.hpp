// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <pybind11/pybind11.h>

#include <cluster_client/cluster_client.hpp>

namespace cluster_client::python {

/// A Python callable held by a C++ handler: copying it never touches Python's reference
/// counts; the last copy drops it under the GIL, or leaves it once the interpreter exits.
using Callback = std::shared_ptr<pybind11::object>;

/// The name of the exception class (in cluster_client._errors) that stands for `error`:
/// the one place the library's exceptions are mapped to Python's.
const char* error_kind(const std::exception& error);

/// Holds `callable`; call with the GIL held.
Callback hold(pybind11::object callable);

/// One ClusterClient on an Asio loop of its own thread, for Python. Each call starts its
/// work and returns at once. Its end reaches Python as a call of the `done` callable given
/// to it, done(result, error_kind, error_message): result None when it failed, error_kind
/// then the name of the exception class (cluster_client._errors). Methods are called with
/// the GIL released, except drain().
///
/// How ends reach Python (Delivery):
/// - `mailbox`, for asyncio: the loop's thread never takes the GIL. It queues each end and
///   makes wakeup_fd() readable; the event loop watches that descriptor and calls drain(),
///   which calls the `done` of every end queued. One wake-up carries every end that came
///   meanwhile, and the C++ loop never waits for the GIL while Python runs.
/// - `direct`, for threads without an event loop: the loop's thread takes the GIL and calls
///   `done` itself.
class Runtime {
public:
    enum class Delivery { mailbox, direct };

    /// Opens the saga log and starts the loop; may throw ConfigError or SagaLogUnavailable.
    Runtime(ClientOptions options, Delivery delivery);
    /// Closes (close()), or leaves everything as it is once the interpreter is exiting.
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    void start(Operation operation, std::string group_id, Callback done);
    void verify_on_host(std::string host, std::string group_id, Callback done);
    void recover(Callback done);

    /// Refuses new work, waits for the work in flight to end (each saga runs to a durable
    /// end), then stops the loop and closes the client and its saga log. Idempotent.
    void close();
    /// The sagas started and not yet ended.
    std::size_t in_flight() const;
    /// Readable while ends wait in the mailbox (`mailbox` delivery only).
    int wakeup_fd() const { return wakeup_fd_; }
    /// Calls `done` for every end in the mailbox; with the GIL held.
    void drain();
    const std::vector<std::string>& hosts() const;

    /// The interpreter is exiting: every runtime's loop stops now, without waiting for its
    /// sagas, which stay open in the saga log for `recover`; nothing calls into Python again.
    static void abandon_all();

private:
    // One work's end, before it is handed to Python.
    struct Ending {
        Callback done;
        std::exception_ptr failure;
        std::variant<SagaReport, bool, std::vector<SagaReport>> result;
    };

    template <class Result>
    void complete(const Callback& done, std::exception_ptr failure, Result result);
    // One more call in flight; throws ConfigError once closed.
    void enter();
    void leave();
    void abandon();

    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<ClusterClient> client_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::size_t in_flight_ = 0;
    bool closed_ = false;
    Delivery delivery_;
    int wakeup_fd_ = -1;
    std::mutex mailbox_mutex_;
    std::vector<Ending> mailbox_;
};

}  // namespace cluster_client::python
