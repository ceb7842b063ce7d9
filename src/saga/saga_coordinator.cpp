// SPDX-License-Identifier: MIT
#include "saga/saga_coordinator.hpp"

#include <numeric>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <cluster_client/errors.hpp>

#include "saga/create_step.hpp"
#include "saga/delete_step.hpp"
#include "saga/read_step.hpp"
#include "saga/saga_plan.hpp"

namespace cluster_client::saga {

namespace asio = boost::asio;
using std::chrono::milliseconds;

struct SagaCoordinator::Node {
    Node(asio::any_io_executor executor, http::Endpoint endpoint, const HttpOptions& options,
         asio::ssl::context* tls)
        : pool(std::move(executor), std::move(endpoint), options, tls), client(pool) {}
    http::HostPool pool;
    node_api::NodeClient client;
};

SagaCoordinator::SagaCoordinator(Executor executor, const ClientOptions& options)
    : executor_(std::move(executor)), options_(options), policy_(options.retry), random_(std::random_device{}()) {
    auto endpoints = http::parse_hosts(options.hosts);
    const bool any_tls = std::any_of(endpoints.begin(), endpoints.end(), [](const auto& e) { return e.tls; });
    if (any_tls) tls_ = http::make_tls_context(options.http);
    for (auto& endpoint : endpoints) {
        urls_.push_back(endpoint.url());
        nodes_.push_back(std::make_unique<Node>(executor_, std::move(endpoint), options.http, tls_.get()));
    }
}

SagaCoordinator::~SagaCoordinator() = default;

std::size_t SagaCoordinator::host_index(const std::string& host) const {
    for (std::size_t i = 0; i < urls_.size(); ++i) {
        if (urls_[i] == host || (i < options_.hosts.size() && options_.hosts[i] == host)) return i;
    }
    const auto canonical = http::parse_endpoint(host).url();
    for (std::size_t i = 0; i < urls_.size(); ++i) {
        if (urls_[i] == canonical) return i;
    }
    throw ConfigError("host " + host + " is not one of the client's hosts");
}

double SagaCoordinator::uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

asio::awaitable<node_api::NodeReply> SagaCoordinator::call(Node& node, node_api::Call call,
                                                           const std::string& group, milliseconds timeout) {
    switch (call) {
        case node_api::Call::create: return node.client.create_group(group, timeout);
        case node_api::Call::get: return node.client.get_group(group, timeout);
        case node_api::Call::delete_: return node.client.delete_group(group, timeout);
    }
    return node.client.get_group(group, timeout);
}

template <class Step>
asio::awaitable<HostState> SagaCoordinator::drive(Step& step, Node& node, const std::string& group,
                                                  HostReport& report) {
    const auto started = Clock::now();
    Event event = Start{started};
    for (;;) {
        const Action action = step.resume(event);
        if (const auto* send = std::get_if<Send>(&action)) {
            ++report.attempts;
            auto reply = co_await call(node, send->call, group, policy_.attempt_timeout(started, Clock::now()));
            spdlog::debug("saga {}: {} {} -> {} ({})", group, report.host, node_api::call_name(send->call),
                          node_api::reply_name(reply.reply), reply.detail);
            event = Replied{std::move(reply), Clock::now(), uniform()};
        } else if (const auto* wait = std::get_if<Wait>(&action)) {
            asio::steady_timer timer(executor_, wait->delay);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            event = Waited{};
        } else if (std::holds_alternative<Record>(action)) {
            // The durable saga log makes the fact durable here before the next request.
            event = Recorded{};
        } else {
            if (!step.last_error().empty()) report.last_error = step.last_error();
            co_return std::get<Finish>(action).state;
        }
    }
}

template <class Body>
asio::awaitable<void> SagaCoordinator::in_parallel(const std::vector<std::size_t>& hosts, Body body) {
    asio::steady_timer all_done(executor_, asio::steady_timer::time_point::max());
    std::size_t pending = hosts.size();
    std::exception_ptr first_error;
    for (const auto host : hosts) {
        asio::co_spawn(executor_, body(host), [&](std::exception_ptr error) {
            if (error && !first_error) first_error = error;
            if (--pending == 0) all_done.cancel();
        });
    }
    if (pending > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (first_error) std::rethrow_exception(first_error);
}

asio::awaitable<std::vector<StepResult>> SagaCoordinator::forward(Operation operation, const std::string& group,
                                                                  std::vector<HostReport>& reports) {
    std::vector<StepResult> results(nodes_.size());
    std::vector<std::size_t> all(nodes_.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    const bool strict = options_.ownership == Ownership::strict;
    co_await in_parallel(all, [&](std::size_t i) -> asio::awaitable<void> {
        auto& node = *nodes_[i];
        switch (operation) {
            case Operation::create:
            case Operation::ensure: {
                // ensure never rolls back, so it needs no ownership read.
                CreateStep step(policy_, strict && operation == Operation::create);
                results[i].state = co_await drive(step, node, group, reports[i]);
                results[i].wrote = step.wrote();
                break;
            }
            case Operation::delete_: {
                DeleteStep step(policy_, strict);
                results[i].state = co_await drive(step, node, group, reports[i]);
                results[i].wrote = step.wrote();
                break;
            }
            case Operation::verify: {
                ReadStep step(policy_);
                results[i].state = co_await drive(step, node, group, reports[i]);
                break;
            }
        }
        reports[i].state = results[i].state;
    });
    co_return results;
}

asio::awaitable<void> SagaCoordinator::compensate(Operation operation, const std::string& group,
                                                  const std::vector<std::size_t>& hosts,
                                                  std::vector<HostReport>& reports) {
    co_await in_parallel(hosts, [&](std::size_t i) -> asio::awaitable<void> {
        auto& node = *nodes_[i];
        HostState undone = HostState::unknown;
        if (operation == Operation::delete_) {
            CreateStep step(policy_, false);  // restores a group we deleted
            undone = co_await drive(step, node, group, reports[i]);
        } else {
            DeleteStep step(policy_, false);  // removes a group we created
            undone = co_await drive(step, node, group, reports[i]);
        }
        reports[i].state = after_compensation(operation, undone);
    });
}

asio::awaitable<SagaReport> SagaCoordinator::run(Operation operation, std::string group) {
    const auto started = Clock::now();
    SagaReport report;
    report.group = group;
    report.operation = operation;
    for (const auto& url : urls_) report.hosts.push_back(HostReport{.host = url, .last_error = {}});

    // Bound to a local first: GCC 12 miscompiles `if (co_await ...)` when the call suspends.
    const bool locked = co_await locks_.acquire(group, options_.lock_wait);
    if (!locked) {
        report.outcome = SagaOutcome::busy;
        for (auto& host : report.hosts) host.last_error = "another saga on this group is still running";
    } else {
        GroupLease lease(locks_, group);
        const auto results = co_await forward(operation, group, report.hosts);
        const auto plan = plan_after_forward(operation, results, options_.delete_mode == DeleteMode::rollback);
        std::vector<HostState> compensated;
        if (!plan.compensate.empty()) {
            co_await compensate(operation, group, plan.compensate, report.hosts);
            for (const auto i : plan.compensate) compensated.push_back(report.hosts[i].state);
        }
        report.outcome = final_outcome(plan, compensated);
    }
    report.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    spdlog::info("saga {} {}: {} in {}ms", to_string(operation), group, to_string(report.outcome),
                 report.duration.count());
    co_return report;
}

asio::awaitable<HostReport> SagaCoordinator::read(std::size_t host, std::string group) {
    HostReport report{.host = urls_.at(host), .last_error = {}};
    ReadStep step(policy_);
    report.state = co_await drive(step, *nodes_.at(host), group, report);
    co_return report;
}

}  // namespace cluster_client::saga
