// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "http/host_pool.hpp"
#include "log/saga_log.hpp"
#include "node_api/node_client.hpp"
#include "retry/retry_budget.hpp"
#include "retry/retry_policy.hpp"
#include "saga/group_locks.hpp"
#include "saga/saga_plan.hpp"
#include "saga/step.hpp"

namespace cluster_client::saga {

/// Runs sagas (DESIGN.md section 4): every node's step in parallel, each node's steps back
/// to back, then the compensation the plan asks for, verified by reading; with a saga log,
/// every fact recovery needs is durable before the request that depends on it. The
/// decisions are in the step machines and saga_plan; this class carries out their actions.
///
/// Every coroutine must run on `executor` (a strand): the pools and locks are not
/// thread-safe. Expected failures of nodes end up in the report, never as exceptions; an
/// unusable saga log throws Error.
class SagaCoordinator {
public:
    using Executor = boost::asio::any_io_executor;  ///< a strand, or one thread

    /// Throws ConfigError on bad hosts or retry options. `log` may be null (no durability).
    SagaCoordinator(Executor executor, const ClientOptions& options, std::shared_ptr<log::SagaLog> log);
    ~SagaCoordinator();

    /// Runs one saga on `group` (already validated), waiting for another saga on the same
    /// group, in this process or another sharing the log, to end first (outcome busy after
    /// options.lock_wait). A saga a dead process left open on the group is recovered first.
    boost::asio::awaitable<SagaReport> run(Operation operation, std::string group);

    /// Finishes or compensates every saga of the log that no live process runs; one report
    /// per saga. Sagas that stay open (a node is still down) say so (SagaReport::left_open).
    boost::asio::awaitable<std::vector<SagaReport>> recover();

    /// Reads the group on one node (by canonical URL or as given in the options).
    boost::asio::awaitable<HostReport> read(std::size_t host, std::string group);

    /// The index of a host as given or in canonical form; throws ConfigError when unknown.
    std::size_t host_index(const std::string& host) const;

    /// The nodes' canonical URLs, in the order given.
    const std::vector<std::string>& hosts() const { return urls_; }

private:
    struct Node;
    /// The nodes of one saga, where its facts go, and when it must end.
    struct Context {
        std::vector<Node*> nodes;
        std::optional<log::SagaId> saga;  ///< set when the saga is in the log
        Clock::time_point end = Clock::time_point::max();
    };
    /// Whether a step must pass the node's circuit breaker to start and draws on the retry
    /// budget: forward steps do; a compensation does not, since giving it up early is what
    /// would leave a partial group.
    enum class Gate { forward, compensation };

    template <class Step>
    boost::asio::awaitable<HostState> drive(Step& step, const Context& context, std::size_t host,
                                            const std::string& group, HostReport& report, Gate gate);
    boost::asio::awaitable<std::vector<StepResult>> forward(Operation operation, const Context& context,
                                                            const std::string& group,
                                                            std::vector<HostReport>& reports);
    boost::asio::awaitable<void> compensate(Operation operation, const Context& context, const std::string& group,
                                            const std::vector<std::size_t>& hosts, std::vector<HostReport>& reports);
    /// Compensation (when the plan asks for it), the final outcome, and the log's end.
    boost::asio::awaitable<void> conclude(Operation operation, const Context& context, const Plan& plan,
                                          SagaReport& report);
    boost::asio::awaitable<void> recover_saga(const log::SagaRecord& record, SagaReport& report);
    /// Begins the saga in the log, recovering what a dead process left on the group and
    /// waiting for a live one: the saga's id, or why the group is busy.
    boost::asio::awaitable<std::variant<log::SagaId, std::string>> begin_logged(Operation operation,
                                                                                const std::string& group);
    template <class Body>
    boost::asio::awaitable<void> in_parallel(const std::vector<std::size_t>& hosts, Body body);
    Node& node_for(const std::string& url);
    double uniform();

    Executor executor_;
    ClientOptions options_;
    retry::RetryPolicy policy_;
    std::shared_ptr<log::SagaLog> log_;
    retry::RetryBudget budget_;  ///< shared by every saga of this client
    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::vector<std::string> urls_;
    std::map<std::string, std::unique_ptr<Node>> nodes_;  ///< by canonical URL
    std::vector<Node*> configured_;                       ///< the client's hosts, in order
    GroupLocks locks_;
    std::mt19937_64 random_;
    log::Owner self_;  ///< this process, as the log names a saga's owner: read once, it costs a file read
};

}  // namespace cluster_client::saga
