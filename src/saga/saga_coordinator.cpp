// SPDX-License-Identifier: MIT
#include "saga/saga_coordinator.hpp"

#include <numeric>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <cluster_client/errors.hpp>

#include "retry/circuit_breaker.hpp"
#include "saga/create_step.hpp"
#include "saga/delete_step.hpp"
#include "saga/read_step.hpp"

namespace cluster_client::saga {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct SagaCoordinator::Node {
    Node(asio::any_io_executor executor, http::Endpoint endpoint, const ClientOptions& options, asio::ssl::context* tls)
        : pool(std::move(executor), std::move(endpoint), options.http, tls), client(pool), breaker(options.retry) {}
    http::HostPool pool;
    node_api::NodeClient client;
    retry::CircuitBreaker breaker;
};

namespace {

// A log write the saga depends on: it goes on only once the write is durable.
template <class Initiate>
asio::awaitable<void> durable(Initiate initiate) {
    auto [ec] = co_await asio::async_initiate<decltype(use_tuple), void(boost::system::error_code)>(
        [&](auto handler) { initiate(std::move(handler)); }, use_tuple);
    if (ec) throw Error("saga log: " + ec.message());
}

asio::awaitable<node_api::NodeReply> call(node_api::NodeClient& node, node_api::Call call, const std::string& group,
                                          milliseconds timeout) {
    switch (call) {
        case node_api::Call::create: return node.create_group(group, timeout);
        case node_api::Call::delete_: return node.delete_group(group, timeout);
        case node_api::Call::get: break;
    }
    return node.get_group(group, timeout);
}

// A clear answer from a live node, as opposed to silence, a broken exchange, a 5xx or a 429:
// what closes a circuit breaker and refills the retry budget.
bool answered(node_api::Reply reply) {
    switch (reply) {
        case node_api::Reply::not_sent:
        case node_api::Reply::maybe_applied:
        case node_api::Reply::throttled: return false;
        default: return true;
    }
}

node_api::NodeReply circuit_open(const retry::CircuitBreaker& breaker, Clock::time_point now) {
    const auto wait = std::chrono::ceil<milliseconds>(breaker.reopens_at() - now);
    return {node_api::Reply::refused,
            "circuit open after " + std::to_string(breaker.consecutive_failures()) + " failed calls in a row" +
                (wait.count() > 0 ? "; next probe in " + std::to_string(wait.count()) + "ms" : "; a probe is out"),
            std::nullopt};
}

bool has_fact(const log::SagaRecord& record, std::size_t host, Fact fact) {
    const auto& facts = record.facts.at(host);
    return std::find(facts.begin(), facts.end(), fact) != facts.end();
}

std::vector<std::size_t> all_hosts(std::size_t count) {
    std::vector<std::size_t> indices(count);
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    return indices;
}

}  // namespace

SagaCoordinator::SagaCoordinator(Executor executor, const ClientOptions& options, std::shared_ptr<log::SagaLog> log)
    : executor_(std::move(executor)), options_(options), policy_(options.retry), log_(std::move(log)),
      budget_(options.retry), random_(std::random_device{}()), self_(log::Owner::self()) {
    for (const auto& endpoint : http::parse_hosts(options.hosts)) {
        urls_.push_back(endpoint.url());
        configured_.push_back(&node_for(endpoint.url()));
    }
}

SagaCoordinator::~SagaCoordinator() = default;

SagaCoordinator::Node& SagaCoordinator::node_for(const std::string& url) {
    auto& node = nodes_[url];
    if (!node) {
        auto endpoint = http::parse_endpoint(url);
        if (endpoint.tls && !tls_) tls_ = http::make_tls_context(options_.http);
        node = std::make_unique<Node>(executor_, std::move(endpoint), options_, tls_.get());
    }
    return *node;
}

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

template <class Step>
asio::awaitable<HostState> SagaCoordinator::drive(Step& step, const Context& context, std::size_t host,
                                                  const std::string& group, HostReport& report, Gate gate) {
    auto& node = *context.nodes[host];
    Event event = Start{Clock::now(), context.end};
    // The breaker keeps new steps off a failing node; a step it let start goes on under its
    // retry policy and the budget, so that a blip of a second does not fail every saga that
    // was in flight when it came.
    bool gated = gate == Gate::forward;
    for (;;) {
        const Action action = step.resume(event);
        if (const auto* send = std::get_if<Send>(&action)) {
            node_api::NodeReply reply;
            const auto timeout = policy_.attempt_timeout(step.deadline(), Clock::now());
            if (timeout.count() == 0) {
                // A request that could not be given a millisecond could only be given up on.
                reply = {node_api::Reply::not_sent, "no time left before the deadline", std::nullopt};
            } else if (gated && !node.breaker.allow(Clock::now())) {
                reply = circuit_open(node.breaker, Clock::now());
            } else {
                gated = false;
                ++report.attempts;
                reply = co_await call(node.client, send->call, group, timeout);
                if (answered(reply.reply)) {
                    node.breaker.on_answer();
                    budget_.on_answer();
                } else {
                    node.breaker.on_failure(Clock::now());
                }
            }
            spdlog::debug("saga {}: {} {} -> {} ({})", group, report.host, node_api::call_name(send->call),
                          node_api::reply_name(reply.reply), reply.detail);
            event = Replied{std::move(reply), Clock::now(), uniform()};
        } else if (const auto* wait = std::get_if<Wait>(&action)) {
            asio::steady_timer timer(executor_, wait->delay);
            co_await timer.async_wait(use_tuple);
            event = Waited{};
        } else if (const auto* record = std::get_if<Record>(&action)) {
            if (context.saga) {
                co_await durable([&](auto handler) { log_->record(*context.saga, host, record->fact, std::move(handler)); });
            }
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
    if (pending > 0) co_await all_done.async_wait(use_tuple);
    if (first_error) std::rethrow_exception(first_error);
}

asio::awaitable<std::vector<StepResult>> SagaCoordinator::forward(Operation operation, const Context& context,
                                                                  const std::string& group,
                                                                  std::vector<HostReport>& reports) {
    std::vector<StepResult> results(context.nodes.size());
    const bool strict = options_.ownership == Ownership::strict;
    co_await in_parallel(all_hosts(context.nodes.size()), [&](std::size_t i) -> asio::awaitable<void> {
        switch (operation) {
            case Operation::create:
            case Operation::ensure: {
                // ensure never rolls back, so it needs no ownership read.
                CreateStep step(policy_, strict && operation == Operation::create, &budget_);
                results[i].state = co_await drive(step, context, i, group, reports[i], Gate::forward);
                results[i].wrote = step.wrote();
                break;
            }
            case Operation::delete_: {
                DeleteStep step(policy_, strict, &budget_);
                results[i].state = co_await drive(step, context, i, group, reports[i], Gate::forward);
                results[i].wrote = step.wrote();
                break;
            }
            case Operation::verify: {
                ReadStep step(policy_, &budget_);
                results[i].state = co_await drive(step, context, i, group, reports[i], Gate::forward);
                break;
            }
        }
        reports[i].state = results[i].state;
    });
    co_return results;
}

asio::awaitable<void> SagaCoordinator::compensate(Operation operation, const Context& context, const std::string& group,
                                                  const std::vector<std::size_t>& hosts,
                                                  std::vector<HostReport>& reports) {
    co_await in_parallel(hosts, [&](std::size_t i) -> asio::awaitable<void> {
        HostState undone = HostState::unknown;
        if (operation == Operation::delete_) {
            CreateStep step(policy_, false);  // restores a group we deleted
            undone = co_await drive(step, context, i, group, reports[i], Gate::compensation);
        } else {
            DeleteStep step(policy_, false);  // removes a group we created
            undone = co_await drive(step, context, i, group, reports[i], Gate::compensation);
        }
        reports[i].state = after_compensation(operation, undone);
    });
}

asio::awaitable<void> SagaCoordinator::conclude(Operation operation, const Context& context, const Plan& plan,
                                                SagaReport& report) {
    std::vector<HostState> compensated;
    if (!plan.compensate.empty()) {
        if (context.saga) {
            co_await durable([&](auto handler) { log_->set_phase(*context.saga, log::Phase::compensating, std::move(handler)); });
        }
        co_await compensate(operation, context, report.group, plan.compensate, report.hosts);
        for (const auto i : plan.compensate) compensated.push_back(report.hosts[i].state);
    }
    report.outcome = final_outcome(plan, compensated);
    if (context.saga) {
        std::vector<HostState> states;
        for (const auto& host : report.hosts) states.push_back(host.state);
        co_await durable([&](auto handler) { log_->end(*context.saga, report.outcome, std::move(states), std::move(handler)); });
    }
}

asio::awaitable<std::variant<log::SagaId, std::string>> SagaCoordinator::begin_logged(Operation operation,
                                                                                      const std::string& group) {
    const auto give_up = Clock::now() + options_.lock_wait;
    for (;;) {
        auto [ec, begun] = co_await asio::async_initiate<decltype(use_tuple), void(boost::system::error_code, log::BeginResult)>(
            [&](auto handler) { log_->begin(operation, group, urls_, self_, std::move(handler)); }, use_tuple);
        if (ec) throw Error("saga log: " + ec.message());
        switch (begun.kind) {
            case log::BeginResult::Kind::started: co_return begun.saga;
            case log::BeginResult::Kind::needs_recovery: {
                const auto record = log_->find(begun.saga);
                if (record && log_->adopt(begun.saga, self_)) {
                    SagaReport recovered;
                    co_await recover_saga(*record, recovered);
                    // Still open (a node is down): a new saga could undo or be undone by it.
                    if (recovered.left_open()) {
                        co_return "saga " + std::to_string(begun.saga) + " on this group is still open (" +
                            std::string(to_string(recovered.outcome)) + "); run recover once its nodes answer";
                    }
                }
                break;
            }
            case log::BeginResult::Kind::busy: break;
        }
        if (Clock::now() >= give_up) co_return std::string("another saga on this group is still running");
        asio::steady_timer pause(executor_, milliseconds(20));
        co_await pause.async_wait(use_tuple);
    }
}

asio::awaitable<SagaReport> SagaCoordinator::run(Operation operation, std::string group) {
    const auto started = Clock::now();
    SagaReport report;
    report.group = group;
    report.operation = operation;
    for (const auto& url : urls_) report.hosts.push_back(HostReport{.host = url, .last_error = {}});

    // Bound to a local first: GCC 12 miscompiles `if (co_await ...)` when the call suspends.
    const bool locked = co_await locks_.acquire(group, options_.lock_wait);
    std::optional<GroupLease> lease;
    Context context{configured_, std::nullopt};
    std::optional<std::string> busy;
    if (!locked) busy = "another saga on this group is still running";
    if (locked) {
        lease.emplace(locks_, group);
        // A verify writes nothing, so it needs neither the log nor its lease.
        if (log_ && operation != Operation::verify) {
            auto begun = co_await begin_logged(operation, group);
            if (auto* id = std::get_if<log::SagaId>(&begun)) {
                context.saga = *id;
            } else {
                busy = std::get<std::string>(std::move(begun));
            }
        }
    }
    if (busy) {
        report.outcome = SagaOutcome::busy;
        for (auto& host : report.hosts) host.last_error = *busy;
    } else {
        context.end = Clock::now() + options_.retry.saga_deadline;
        const auto results = co_await forward(operation, context, group, report.hosts);
        const auto plan = plan_after_forward(operation, results, options_.delete_mode == DeleteMode::rollback);
        co_await conclude(operation, context, plan, report);
    }
    report.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    spdlog::info("saga {} {}: {} in {}ms", to_string(operation), group, to_string(report.outcome),
                 report.duration.count());
    co_return report;
}

asio::awaitable<void> SagaCoordinator::recover_saga(const log::SagaRecord& record, SagaReport& report) {
    const auto started = Clock::now();
    report.group = record.group;
    report.operation = record.operation;
    report.hosts.clear();
    Context context{{}, record.id, Clock::now() + options_.retry.saga_deadline};
    for (const auto& url : record.hosts) {
        context.nodes.push_back(&node_for(url));
        report.hosts.push_back(HostReport{.host = url, .last_error = {}});
    }

    // What this saga wrote, by the log: where the group is (maybe) ours.
    std::vector<StepResult> results(record.hosts.size());
    const bool undoing_create = record.operation == Operation::create;
    const bool undoing_delete = record.operation == Operation::delete_ && record.phase == log::Phase::compensating;
    for (std::size_t i = 0; i < results.size(); ++i) {
        // A create owns what appeared after its read saw nothing; a delete owns the absence
        // of what its read saw there (the DELETE may have applied before `deleted` was written).
        const bool ours = undoing_create
                              ? has_fact(record, i, Fact::absent_before) || has_fact(record, i, Fact::created)
                              : has_fact(record, i, Fact::present_before) || has_fact(record, i, Fact::deleted);
        results[i] = ours ? StepResult{HostState::unknown, true} : StepResult{HostState::failed, false};
        report.hosts[i].state = results[i].state;
    }

    Plan plan;
    if (undoing_create || undoing_delete) {
        // A create is undone wherever it may have written; a delete that was already
        // undoing itself goes on undoing.
        plan = plan_after_forward(record.operation, results, true);
        plan.outcome = SagaOutcome::rolled_back;
    } else {
        // A delete or an ensure is driven forward again; what it deleted earlier is still
        // ours should it have to roll back.
        auto again = co_await forward(record.operation, context, record.group, report.hosts);
        for (std::size_t i = 0; i < again.size(); ++i) {
            if (results[i].wrote && again[i].state == HostState::absent_before) {
                again[i] = StepResult{HostState::deleted, true};
                report.hosts[i].state = HostState::deleted;
            }
        }
        plan = plan_after_forward(record.operation, again, options_.delete_mode == DeleteMode::rollback);
    }
    co_await conclude(record.operation, context, plan, report);
    report.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    spdlog::info("recovered saga {} {} {}: {}", record.id, to_string(record.operation), record.group,
                 to_string(report.outcome));
}

asio::awaitable<std::vector<SagaReport>> SagaCoordinator::recover() {
    std::vector<SagaReport> reports;
    if (!log_) co_return reports;
    for (const auto& listed : log_->open_sagas()) {
        if (listed.owner.alive() && !(listed.owner == self_)) continue;  // another process runs it
        // A saga of this process holding the group is running, not left behind.
        const bool locked = co_await locks_.acquire(listed.group, milliseconds(0));
        if (!locked) continue;
        GroupLease lease(locks_, listed.group);
        const auto record = log_->find(listed.id);
        if (!record || !record->open || !log_->adopt(record->id, self_)) continue;
        SagaReport report;
        co_await recover_saga(*record, report);
        reports.push_back(std::move(report));
    }
    co_return reports;
}

asio::awaitable<HostReport> SagaCoordinator::read(std::size_t host, std::string group) {
    HostReport report{.host = urls_.at(host), .last_error = {}};
    ReadStep step(policy_, &budget_);
    const Context context{configured_, std::nullopt};
    report.state = co_await drive(step, context, host, group, report, Gate::forward);
    co_return report;
}

}  // namespace cluster_client::saga
