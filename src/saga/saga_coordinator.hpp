// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "http/host_pool.hpp"
#include "node_api/node_client.hpp"
#include "retry/retry_policy.hpp"
#include "saga/group_locks.hpp"
#include "saga/saga_plan.hpp"
#include "saga/step.hpp"

namespace cluster_client::saga {

/// Runs sagas (DESIGN.md section 4): every node's step in parallel, each node's steps back
/// to back, then the compensation the plan asks for, verified by reading. The decisions are
/// in the step machines and saga_plan; this class only carries out their actions.
///
/// Every coroutine must run on `executor` (a strand): the pools and locks are not
/// thread-safe. Expected failures of nodes end up in the report, never as exceptions.
class SagaCoordinator {
public:
    using Executor = boost::asio::strand<boost::asio::any_io_executor>;

    /// Throws ConfigError on bad hosts or retry options.
    SagaCoordinator(Executor executor, const ClientOptions& options);
    ~SagaCoordinator();

    /// Runs one saga on `group` (already validated), waiting for another saga on the same
    /// group to end first (outcome busy after options.lock_wait).
    boost::asio::awaitable<SagaReport> run(Operation operation, std::string group);

    /// Reads the group on one node (by canonical URL or as given in the options).
    boost::asio::awaitable<HostReport> read(std::size_t host, std::string group);

    /// The index of a host as given or in canonical form; throws ConfigError when unknown.
    std::size_t host_index(const std::string& host) const;

    /// The nodes' canonical URLs, in the order given.
    const std::vector<std::string>& hosts() const { return urls_; }

private:
    struct Node;
    template <class Step>
    boost::asio::awaitable<HostState> drive(Step& step, Node& node, const std::string& group,
                                            HostReport& report);
    boost::asio::awaitable<std::vector<StepResult>> forward(Operation operation, const std::string& group,
                                                            std::vector<HostReport>& reports);
    boost::asio::awaitable<void> compensate(Operation operation, const std::string& group,
                                            const std::vector<std::size_t>& hosts,
                                            std::vector<HostReport>& reports);
    template <class Body>
    boost::asio::awaitable<void> in_parallel(const std::vector<std::size_t>& hosts, Body body);
    boost::asio::awaitable<node_api::NodeReply> call(Node& node, node_api::Call call, const std::string& group,
                                                     std::chrono::milliseconds timeout);
    double uniform();

    Executor executor_;
    ClientOptions options_;
    retry::RetryPolicy policy_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::vector<std::string> urls_;
    GroupLocks locks_;
    std::mt19937_64 random_;
};

}  // namespace cluster_client::saga
