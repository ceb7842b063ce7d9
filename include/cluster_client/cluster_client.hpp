// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cluster_client/errors.hpp>
#include <cluster_client/group_id.hpp>
#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>
#include <cluster_client/saga_listing.hpp>

namespace cluster_client {

namespace saga {
class SagaCoordinator;
}

/// Creates, verifies and deletes a group on every node of a cluster, all or none, with the
/// Saga pattern (docs/design.md). One client serves thousands of concurrent sagas on one thread.
///
/// Threads: every operation runs on an internal strand of the given executor, so the
/// client may be called from any thread. It must outlive the operations it started.
/// Errors: expected node failures are values in the SagaReport; exceptions are only
/// ConfigError (bad options, thrown by the constructor), InvalidGroupId (a bad id,
/// delivered through the completion token before any request is sent) and Error (a saga
/// log write failed, e.g. a full disk: the saga stays open in the log for recover()).
class ClusterClient {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Throws ConfigError when the hosts or options break a rule, or when the saga log
    /// (options.saga_log) cannot be used: corrupt, from a newer version, not writable.
    /// Without hosts, a client with a saga log can still recover() and list_sagas(): each
    /// logged saga names its own hosts; its other operations throw ConfigError.
    ClusterClient(executor_type executor, ClientOptions options);
    ~ClusterClient();
    ClusterClient(const ClusterClient&) = delete;
    ClusterClient& operator=(const ClusterClient&) = delete;

    // The seed's API.

    /// Creates the group on every node, or on none. True when it is on every node at the end
    /// (created or already_exists).
    boost::asio::awaitable<bool> create_group(std::string group_id);
    /// Deletes the group from every node, or (rollback) from none. Returns the hosts where
    /// the group may still be: empty on success.
    boost::asio::awaitable<std::vector<std::string>> delete_group(std::string group_id);
    /// True when `host` (one of the client's hosts) answers that the group exists. Throws
    /// RequestError when no read got an answer, ConfigError when `host` is not one of ours.
    boost::asio::awaitable<bool> verify_group_on_host(std::string host, std::string group_id);

    // Full reports, with any Asio completion token (use_awaitable, use_future, a callback
    // taking (std::exception_ptr, SagaReport)).

    template <class CompletionToken>
    auto async_create_group(std::string group_id, CompletionToken&& token) {
        return start(Operation::create, std::move(group_id), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_delete_group(std::string group_id, CompletionToken&& token) {
        return start(Operation::delete_, std::move(group_id), std::forward<CompletionToken>(token));
    }
    /// Converges: creates the group where it is missing and never rolls back.
    template <class CompletionToken>
    auto async_ensure_group(std::string group_id, CompletionToken&& token) {
        return start(Operation::ensure, std::move(group_id), std::forward<CompletionToken>(token));
    }
    /// Reads the group on every node (a report per host; nothing is written).
    template <class CompletionToken>
    auto async_verify_group(std::string group_id, CompletionToken&& token) {
        return start(Operation::verify, std::move(group_id), std::forward<CompletionToken>(token));
    }

    /// Finishes or compensates every saga that the saga log holds open and no live process
    /// runs (a client killed mid-saga, a compensation that could not finish): one report per
    /// saga; `left_open()` ones still wait for a node. Nothing to do without a saga log.
    boost::asio::awaitable<std::vector<SagaReport>> recover();

    /// The open sagas of the saga log and the `recent` most recently updated ones. Throws
    /// ConfigError without a saga log, Error when the log cannot be read.
    boost::asio::awaitable<SagaListing> list_sagas(std::size_t recent);

    /// Deletes from the saga log every saga that ended before `before` (by its last
    /// update), with its facts; never an open one. Works in batches of `prune_batch`
    /// sagas, each its own transaction, so that sagas running meanwhile wait for one batch
    /// at most. Returns how many it deleted. Throws ConfigError without a saga log, Error
    /// when the log fails (the batches before stay deleted).
    boost::asio::awaitable<std::size_t> prune_sagas(std::chrono::system_clock::time_point before);
    static constexpr std::size_t prune_batch = 1000;

    /// Runs a saga as a coroutine on the client's strand.
    boost::asio::awaitable<SagaReport> run(Operation operation, std::string group_id);

    /// The nodes' canonical URLs, in the order given.
    const std::vector<std::string>& hosts() const;
    executor_type get_executor() const;

private:
    // Already spawned on the strand: no second hop to it.
    template <class CompletionToken>
    auto start(Operation operation, std::string group_id, CompletionToken&& token) {
        return boost::asio::co_spawn(strand_, run_on_strand(operation, std::move(group_id)),
                                     std::forward<CompletionToken>(token));
    }
    boost::asio::awaitable<SagaReport> run_on_strand(Operation operation, std::string group_id);

    executor_type strand_;  ///< a strand of the executor given to the constructor
    std::unique_ptr<saga::SagaCoordinator> coordinator_;
};

/// The blocking facade for code without an event loop: owns an io_context and its thread.
/// Each call blocks until the saga ends. Thread-safe; calls from several threads run
/// their sagas concurrently.
class BlockingClusterClient {
public:
    /// Throws ConfigError when the hosts or options break a rule.
    explicit BlockingClusterClient(ClientOptions options);
    ~BlockingClusterClient();

    SagaReport create_group(std::string group_id);
    SagaReport delete_group(std::string group_id);
    SagaReport ensure_group(std::string group_id);
    SagaReport verify_group(std::string group_id);

private:
    boost::asio::io_context io_;
    std::unique_ptr<ClusterClient> client_;
    std::thread thread_;
};

}  // namespace cluster_client
