// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "http/host_pool.hpp"
#include "metrics/client_metrics.hpp"
#include "node_api/node_client.hpp"
#include "retry/retry_budget.hpp"
#include "retry/retry_policy.hpp"
#include "runner/group_locks.hpp"
#include "runner/open_saga_watch.hpp"
#include "saga/saga_log.hpp"
#include "saga/saga_machine.hpp"

namespace cluster_client::saga {

/// Runs sagas (docs/design.md, "The sagas"): admits each saga to its group (in this process and,
/// through the log's leases, across processes), then carries out the actions of its
/// SagaMachine, where every decision is made: requests, waits, records.
///
/// Every coroutine must run on `executor` (a strand): the pools and locks are not
/// thread-safe. Expected failures of nodes end up in the report, never as exceptions; an
/// unusable saga log throws Error.
class SagaCoordinator {
public:
    using Executor = boost::asio::any_io_executor;  ///< a strand, or one thread

    /// How many open sagas recover() runs at once: enough to recover a crashed batch in
    /// one saga deadline, few enough not to flood the nodes.
    static constexpr std::size_t recovery_fan_out = 32;

    /// Opens the saga log: returns it, or null for no durability.
    using LogOpener = std::function<std::shared_ptr<SagaLog>()>;

    /// Throws ConfigError on bad hosts, TLS files, retry or HTTP options, before it calls
    /// `open_log`: options that cannot work never create or open a log. Without hosts, it
    /// needs a log: it can then only recover.
    SagaCoordinator(Executor executor, const ClientOptions& options, const LogOpener& open_log);
    ~SagaCoordinator();

    /// Runs one saga on `group` (already validated), waiting for another saga on the same
    /// group, in this process or another sharing the log, to end first (outcome busy after
    /// options.lock_wait). A saga a dead process left open on the group is recovered first.
    boost::asio::awaitable<SagaReport> run(Operation operation, std::string group);

    /// Finishes or compensates every saga of the log that no live process runs; one report
    /// per saga. Sagas that stay open (a node is still down) say so (SagaReport::left_open).
    /// They are recovered concurrently (at most `recovery_fan_out` at once) and all of it ends
    /// within one saga deadline: a saga not begun by then stays open for the next recover.
    boost::asio::awaitable<std::vector<SagaReport>> recover();

    /// Reads the group on one node (by canonical URL or as given in the options).
    boost::asio::awaitable<HostReport> read(std::size_t host, std::string group);

    /// The index of a host as given or in canonical form; throws ConfigError when unknown.
    std::size_t host_index(const std::string& host) const;

    /// The nodes' canonical URLs, in the order given.
    const std::vector<std::string>& hosts() const { return urls_; }

    /// The saga log; null when sagas are not logged.
    SagaLog* log() const { return log_.get(); }

private:
    struct Node;
    class Run;

    /// Carries out `machine`'s actions on `nodes` (and saga `saga` of the log) until it is
    /// done; throws Error when a record could not be made durable.
    boost::asio::awaitable<SagaReport> carry_out(SagaMachine& machine, const std::vector<Node*>& nodes,
                                                 std::optional<SagaId> saga, Clock::time_point end);
    /// Recovers one open saga of the log, unless another process or saga holds it.
    boost::asio::awaitable<std::optional<SagaReport>> recover_listed(const SagaRecord& listed, Clock::time_point end);
    boost::asio::awaitable<SagaReport> recover_saga(const SagaRecord& record, Clock::time_point end);
    /// Begins the saga in the log, recovering what a dead process left on the group and
    /// waiting for a live one: the saga's id, or why the group is busy.
    boost::asio::awaitable<std::variant<SagaId, std::string>> begin_logged(Operation operation,
                                                                           const std::string& group);
    SagaReport blank_report(Operation operation, const std::string& group, const std::vector<std::string>& urls) const;
    SagaSettings settings(bool logged) const;
    /// The node at `endpoint`, made on first use.
    Node& node_for(http::Endpoint endpoint);
    /// The node at canonical `url` (as the log keeps it), parsed only on first use.
    Node& node_at(const std::string& url);
    double uniform();
    /// Starts the background takeover of expired coordinators' sagas, if the log is shared
    /// and it is not running yet.
    void keep_recovering();

    Executor executor_;
    ClientOptions options_;
    std::shared_ptr<spdlog::logger> logger_;  ///< options_.logger, or a silent one
    retry::RetryPolicy policy_;
    metrics::ClientMetrics metrics_;  ///< before the nodes, which hold their series
    std::shared_ptr<SagaLog> log_;
    std::unique_ptr<OpenSagaWatch> open_saga_watch_;  ///< with metrics and a log only
    retry::RetryBudget budget_;                       ///< shared by every saga of this client
    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::vector<std::string> urls_;
    std::map<std::string, std::unique_ptr<Node>> nodes_;  ///< by canonical URL
    std::vector<Node*> configured_;                       ///< the client's hosts, in order
    GroupLocks locks_;
    std::mt19937_64 random_;
    Owner self_;                     ///< this process, as the log names a saga's owner: read once, it costs a file read
    std::size_t running_sagas_ = 0;  ///< run() calls under way
    bool recovering_ = false;        ///< the background takeover loop runs
    boost::asio::steady_timer recovery_timer_;
};

}  // namespace cluster_client::saga
