// SPDX-License-Identifier: MIT
#include "runner/saga_coordinator.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/logger.h>

#include <cluster_client/errors.hpp>

#include "http/http_options_check.hpp"
#include "logging/logger.hpp"
#include "retry/circuit_breaker.hpp"
#include "saga/admission.hpp"
#include "saga/overloaded.hpp"
#include "saga/owner.hpp"

namespace cluster_client::saga {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct SagaCoordinator::Node {
    Node(asio::any_io_executor executor, http::Endpoint endpoint, const ClientOptions& options, asio::ssl::context* tls,
         metrics::NodeMetrics* series)
        : pool(std::move(executor), std::move(endpoint), options.http, tls),
          client(pool),
          breaker(options.retry),
          metrics(series) {}
    http::HostPool pool;
    node_api::NodeClient client;
    retry::CircuitBreaker breaker;
    metrics::NodeMetrics* metrics;  ///< null when the client is not watched
};

namespace {

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

}  // namespace

SagaCoordinator::SagaCoordinator(Executor executor, const ClientOptions& options, const LogOpener& open_log)
    : executor_(std::move(executor)),
      options_(options),
      logger_(logging::or_silent(options.logger)),
      policy_(options.retry),
      metrics_(options.metrics),
      budget_(options.retry),
      random_(std::random_device{}()),
      self_(this_process()),
      recovery_timer_(executor_) {
    // Everything is checked, each host parsed and the TLS files loaded once, before the log
    // is opened.
    std::vector<http::Endpoint> endpoints;
    if (!options.hosts.empty()) endpoints = http::parse_hosts(options.hosts);
    http::check_http_options(options.http);
    // Loads the CA file and the client certificate now, so that a bad one is refused before
    // any saga starts, even while no host is https.
    if (!options.http.ca_file.empty() || !options.http.cert_file.empty() || !options.http.key_file.empty()) {
        tls_ = http::make_tls_context(options_.http);
    }
    for (auto& endpoint : endpoints) {
        urls_.push_back(endpoint.url());
        configured_.push_back(&node_for(std::move(endpoint)));
    }
    log_ = open_log();
    if (metrics_.enabled() && log_) open_saga_watch_ = std::make_unique<OpenSagaWatch>(log_, metrics_);
    metrics_.retry_budget(budget_.tokens());
    // Without hosts it recovers and lists only (each logged saga names its hosts): without a
    // log too, there is nothing it can do, and the empty host list is refused.
    if (options.hosts.empty() && !log_) static_cast<void>(http::parse_hosts(options.hosts));
}

SagaCoordinator::~SagaCoordinator() = default;

SagaCoordinator::Node& SagaCoordinator::node_for(http::Endpoint endpoint) {
    auto& node = nodes_[endpoint.url()];
    if (!node) {
        if (endpoint.tls && !tls_) tls_ = http::make_tls_context(options_.http);
        auto* series = metrics_.node(endpoint.url());
        node = std::make_unique<Node>(executor_, std::move(endpoint), options_, tls_.get(), series);
    }
    return *node;
}

SagaCoordinator::Node& SagaCoordinator::node_at(const std::string& url) {
    if (const auto known = nodes_.find(url); known != nodes_.end()) return *known->second;
    return node_for(http::parse_endpoint(url));
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

double SagaCoordinator::uniform() {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

SagaSettings SagaCoordinator::settings(bool logged) const {
    return {.ownership = options_.ownership, .delete_mode = options_.delete_mode, .logged = logged};
}

SagaReport SagaCoordinator::blank_report(Operation operation, const std::string& group,
                                         const std::vector<std::string>& urls) const {
    SagaReport report;
    report.group = group;
    report.operation = operation;
    for (const auto& url : urls) report.hosts.push_back(HostReport{.host = url, .last_error = {}});
    return report;
}

// One saga's actions, carried out on the nodes and the log, on the client's strand: every
// completion feeds its event straight back to the machine and carries out what comes of it.
// A node has one action at a time, so one timer each serves its waits.
class SagaCoordinator::Run {
public:
    Run(SagaCoordinator& coordinator, SagaMachine& machine, const std::vector<Node*>& nodes, std::optional<SagaId> saga)
        : coordinator_(coordinator),
          machine_(machine),
          nodes_(nodes),
          saga_(saga),
          done_(coordinator.executor_, asio::steady_timer::time_point::max()),
          waited_(nodes.size(), false),
          unsettled_(nodes.size()) {
        timers_.reserve(nodes.size());
        for (std::size_t i = 0; i < nodes.size(); ++i) timers_.emplace_back(coordinator.executor_);
    }

    // Nothing of the run is outstanding once the machine is done, so the run may then go.
    asio::awaitable<void> until_done(Clock::time_point end) {
        carry_out(machine_.resume(SagaStarted{Clock::now(), end}));
        while (!finished_) co_await done_.async_wait(use_tuple);
        for (const auto& write : unsettled_) {
            if (write) coordinator_.metrics_.resolved(*write, metrics::Resolution::unresolved);
        }
    }

private:
    void on(const SagaEvent& event) { carry_out(machine_.resume(event)); }

    void carry_out(std::vector<SagaAction> actions) {
        for (auto& action : actions) {
            if (const auto* send = std::get_if<SendRequest>(&action)) {
                asio::co_spawn(coordinator_.executor_, request(*send), asio::detached);
            } else if (const auto* until = std::get_if<WaitUntil>(&action)) {
                waited_.at(until->host) = true;  // every wait is a back-off before a retry
                auto& timer = timers_.at(until->host);
                timer.expires_at(until->until);
                timer.async_wait([this, host = until->host](boost::system::error_code) {
                    on(TimerFired{host, Clock::now()});
                });
            } else if (auto* record = std::get_if<AppendRecord>(&action)) {
                append(std::move(*record));
            } else {
                finished_ = true;
                done_.cancel();
            }
        }
    }

    asio::awaitable<void> request(SendRequest send) {
        auto& node = *nodes_.at(send.host);
        const auto now = Clock::now();
        const auto timeout = coordinator_.policy_.attempt_timeout(send.deadline, now);
        node_api::NodeReply reply;
        bool sent = false;
        if (timeout.count() == 0) {
            // A request that could not be given a millisecond could only be given up on.
            reply = {node_api::Reply::not_sent, "no time left before the deadline", std::nullopt};
        } else if (saga_ && !coordinator_.log_->may_send(*saga_, now + timeout)) {
            // Fenced: this coordinator's lease could end before the request does, and
            // another coordinator may then take the saga over.
            reply = {node_api::Reply::not_sent, "this coordinator's lease on the saga log ends too soon", std::nullopt};
        } else if (send.gated && !node.breaker.allow(now)) {
            reply = circuit_open(node.breaker, now);
        } else {
            sent = true;
            if (node.metrics && waited_[send.host]) node.metrics->retry(send.call);
            try {
                reply = co_await node.client.call(send.call, machine_.report().group, timeout);
            } catch (const std::exception& failure) {
                // Whatever went wrong, the request may have gone out: ambiguous, never dropped.
                coordinator_.logger_->error("saga {}: {}", machine_.report().group, failure.what());
                reply = {node_api::Reply::maybe_applied, failure.what(), std::nullopt};
            }
            if (answered(reply.reply)) {
                node.breaker.on_answer();
                coordinator_.budget_.on_answer();
            } else {
                node.breaker.on_failure(Clock::now());
            }
        }
        waited_[send.host] = false;
        if (node.metrics) {
            node.metrics->request(send.call, reply.reply,
                                  sent ? std::optional(metrics::Seconds(Clock::now() - now)) : std::nullopt);
            node.metrics->breaker(node.breaker.state());
            settle(send, reply.reply);
        }
        coordinator_.logger_->debug("saga {}: {} {} -> {} ({})", machine_.report().group,
                                    machine_.report().hosts.at(send.host).host, node_api::call_name(send.call),
                                    node_api::reply_name(reply.reply), reply.detail);
        // Less than a millisecond left is no time at all: the step sees its deadline passed.
        const auto replied_at = timeout.count() == 0 ? std::max(Clock::now(), send.deadline) : Clock::now();
        on(NodeReplied{send.host, std::move(reply), replied_at, coordinator_.uniform(), sent});
        coordinator_.metrics_.retry_budget(coordinator_.budget_.tokens());
    }

    // Counts an ambiguous write, and how the next clear read of its node settles it.
    void settle(const SendRequest& send, node_api::Reply reply) {
        using node_api::Call;
        using node_api::Reply;
        auto& write = unsettled_[send.host];
        if (send.call != Call::get) {
            if (write) coordinator_.metrics_.resolved(*write, metrics::Resolution::unresolved);
            write.reset();
            if (reply == Reply::maybe_applied) {
                coordinator_.metrics_.ambiguous(send.call);
                write = send.call;
            }
        } else if (write && (reply == Reply::present || reply == Reply::absent)) {
            const bool applied = (reply == Reply::present) == (*write == Call::create);
            coordinator_.metrics_.resolved(*write,
                                           applied ? metrics::Resolution::applied : metrics::Resolution::not_applied);
            write.reset();
        }
    }

    void append(AppendRecord record) {
        auto& log = *coordinator_.log_;
        auto durable = asio::bind_executor(
            coordinator_.executor_, [this, host = record.host, sent = Clock::now()](boost::system::error_code ec) {
                const auto now = Clock::now();
                coordinator_.metrics_.log_write(now - sent);
                on(RecordAppended{host, now, ec ? ec.message() : std::string()});
            });
        std::visit(overloaded{[&](Fact fact) { log.async_record(*saga_, record.host, fact, std::move(durable)); },
                              [&](Phase phase) { log.async_set_phase(*saga_, phase, std::move(durable)); },
                              [&](EndRecord& ending) {
                                  log.async_end(*saga_, ending.outcome, std::move(ending.host_states),
                                                std::move(durable));
                              }},
                   record.record);
    }

    SagaCoordinator& coordinator_;
    SagaMachine& machine_;
    const std::vector<Node*>& nodes_;
    std::optional<SagaId> saga_;
    std::vector<asio::steady_timer> timers_;
    asio::steady_timer done_;
    bool finished_ = false;
    std::vector<bool> waited_;                              ///< per node: its next request is a retry
    std::vector<std::optional<node_api::Call>> unsettled_;  ///< per node: an ambiguous write not yet read
};

asio::awaitable<SagaReport> SagaCoordinator::carry_out(SagaMachine& machine, const std::vector<Node*>& nodes,
                                                       std::optional<SagaId> saga, Clock::time_point end) {
    Run run(*this, machine, nodes, saga);
    co_await run.until_done(end);
    if (machine.log_error()) throw Error("saga log: " + *machine.log_error());
    co_return machine.report();
}

asio::awaitable<std::variant<SagaId, std::string>> SagaCoordinator::begin_logged(Operation operation,
                                                                                 const std::string& group) {
    Admission admission(Clock::now(), options_.lock_wait);
    auto action = admission.start();
    for (;;) {
        if (const auto* admitted = std::get_if<Admission::Admitted>(&action)) co_return admitted->saga;
        if (auto* busy = std::get_if<Admission::Busy>(&action)) co_return std::move(busy->reason);
        if (std::holds_alternative<Admission::Begin>(action)) {
            auto [ec, begun] = co_await log_->async_begin(operation, group, urls_, self_, use_tuple);
            if (ec) throw Error("saga log: " + ec.message());
            action = admission.on_begun(begun, Clock::now());
        } else if (const auto* first = std::get_if<Admission::RecoverFirst>(&action)) {
            std::optional<SagaReport> recovered;
            // Bound to a local first: GCC 12 miscompiles `if (co_await ...)` when the call suspends.
            const bool adopted = co_await log_->async_adopt(first->saga, self_, asio::use_awaitable);
            // Read once adopted: a fenced owner can write nothing after that.
            std::optional<SagaRecord> record;
            if (adopted) record = co_await log_->async_find(first->saga, asio::use_awaitable);
            if (record && record->open) {
                recovered = co_await recover_saga(*record, Clock::now() + options_.retry.saga_deadline);
            }
            action = admission.on_recovered(recovered.has_value(),
                                            recovered ? recovered->outcome : SagaOutcome::unknown, Clock::now());
        } else {
            asio::steady_timer pause(executor_, std::get<Admission::PauseUntil>(action).until);
            co_await pause.async_wait(use_tuple);
            action = admission.on_paused();
        }
    }
}

// While sagas run on a shared log, the open sagas of coordinators whose lease has expired
// are taken over every recovery interval. The loop ends with the last running saga, so an
// idle client leaves no work behind on its executor.
void SagaCoordinator::keep_recovering() {
    const auto interval = options_.saga_log.recovery_interval;
    if (recovering_ || !log_ || !log_->shared() || interval.count() == 0) return;
    recovering_ = true;
    asio::co_spawn(
        executor_,
        [this, interval]() -> asio::awaitable<void> {
            while (running_sagas_ > 0) {
                recovery_timer_.expires_after(interval);
                auto [cancelled] = co_await recovery_timer_.async_wait(use_tuple);
                if (running_sagas_ == 0) break;
                if (cancelled) continue;  // the last saga ended, and another has begun since
                try {
                    for (const auto& report : co_await recover()) {
                        logger_->warn("took over saga {} {} of an expired coordinator: {}", to_string(report.operation),
                                      report.group, to_string(report.outcome));
                    }
                } catch (const std::exception& failure) {
                    logger_->warn("taking over the sagas of expired coordinators: {}", failure.what());
                }
            }
            recovering_ = false;
        },
        asio::detached);
}

asio::awaitable<SagaReport> SagaCoordinator::run(Operation operation, std::string group) {
    ++running_sagas_;
    metrics_.saga_started(operation);
    keep_recovering();
    struct Finished {
        SagaCoordinator& coordinator;
        ~Finished() {
            coordinator.metrics_.saga_left();
            if (--coordinator.running_sagas_ > 0) return;
            coordinator.recovery_timer_.cancel();
            if (coordinator.open_saga_watch_) coordinator.open_saga_watch_->refresh_soon();
        }
    } finished{*this};
    const auto started = Clock::now();
    SagaReport report = blank_report(operation, group, urls_);

    // Bound to a local first: GCC 12 miscompiles `if (co_await ...)` when the call suspends.
    const bool locked = co_await locks_.acquire(group, options_.lock_wait);
    std::optional<GroupLease> lease;
    std::optional<SagaId> saga;
    std::optional<std::string> busy;
    if (!locked) busy = "another saga on this group is still running";
    // A verify writes nothing, so it needs neither the log nor its lease.
    const bool logged = log_ && operation != Operation::verify;
    if (locked) {
        lease.emplace(locks_, group);
        if (logged) {
            auto begun = co_await begin_logged(operation, group);
            if (auto* id = std::get_if<SagaId>(&begun)) {
                saga = *id;
            } else {
                busy = std::get<std::string>(std::move(begun));
            }
        }
    }
    if (busy) {
        report.outcome = SagaOutcome::busy;
        for (auto& host : report.hosts) host.last_error = *busy;
    } else {
        SagaMachine machine(std::move(report), settings(logged), policy_, &budget_);
        report = co_await carry_out(machine, configured_, saga, Clock::now() + options_.retry.saga_deadline);
    }
    const auto took = Clock::now() - started;
    report.duration = std::chrono::duration_cast<milliseconds>(took);
    metrics_.saga_ended(report, false, took);
    logger_->info("saga {} {}: {} in {}ms", to_string(operation), group, to_string(report.outcome),
                  report.duration.count());
    co_return report;
}

asio::awaitable<SagaReport> SagaCoordinator::recover_saga(const SagaRecord& record, Clock::time_point end) {
    const auto started = Clock::now();
    std::vector<Node*> nodes;
    for (const auto& url : record.hosts) nodes.push_back(&node_at(url));
    SagaMachine machine(blank_report(record.operation, record.group, record.hosts), settings(true), policy_, &budget_,
                        LoggedSaga{record.phase, record.facts, record.outcome});
    auto report = co_await carry_out(machine, nodes, record.id, end);
    const auto took = Clock::now() - started;
    report.duration = std::chrono::duration_cast<milliseconds>(took);
    metrics_.saga_ended(report, true, took);
    logger_->info("recovered saga {} {} {}: {}", record.id, to_string(record.operation), record.group,
                  to_string(report.outcome));
    co_return report;
}

asio::awaitable<std::optional<SagaReport>> SagaCoordinator::recover_listed(const SagaRecord& listed,
                                                                           Clock::time_point end) {
    if (listed.held_elsewhere) co_return std::nullopt;
    // A saga of this process holding the group is running, not left behind.
    const bool locked = co_await locks_.acquire(listed.group, milliseconds(0));
    if (!locked) co_return std::nullopt;
    GroupLease lease(locks_, listed.group);
    const bool adopted = co_await log_->async_adopt(listed.id, self_, asio::use_awaitable);
    if (!adopted) co_return std::nullopt;
    // Read once adopted: a fenced owner can write nothing after that, so these are all its facts.
    const auto record = co_await log_->async_find(listed.id, asio::use_awaitable);
    if (!record || !record->open) co_return std::nullopt;
    co_return co_await recover_saga(*record, end);
}

asio::awaitable<std::vector<SagaReport>> SagaCoordinator::recover() {
    std::vector<SagaReport> reports;
    if (!log_) co_return reports;
    // One saga deadline for all of it, however many sagas are open.
    const auto end = Clock::now() + options_.retry.saga_deadline;
    const auto listed = co_await log_->async_open_sagas(asio::use_awaitable);
    std::vector<std::optional<SagaReport>> recovered(listed.size());
    std::size_t next = 0;
    std::size_t not_begun = 0;
    // A few workers take the open sagas in turn; the strand keeps `next` consistent.
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < listed.size()) {
            const auto i = next++;
            if (Clock::now() >= end) {
                ++not_begun;
                continue;
            }
            recovered[i] = co_await recover_listed(listed[i], end);
        }
    };
    std::vector<decltype(asio::co_spawn(executor_, worker(), asio::deferred))> workers;
    for (std::size_t i = 0; i < std::min(listed.size(), recovery_fan_out); ++i) {
        workers.push_back(asio::co_spawn(executor_, worker(), asio::deferred));
    }
    if (!workers.empty()) {
        auto [order, failures] = co_await asio::experimental::make_parallel_group(std::move(workers))
                                     .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        for (const auto& failure : failures) {
            if (failure) std::rethrow_exception(failure);
        }
    }
    if (not_begun > 0) {
        logger_->warn("recover: {} open sagas not begun within the saga deadline; run recover again", not_begun);
    }
    for (auto& report : recovered) {
        if (report) reports.push_back(std::move(*report));
    }
    if (open_saga_watch_ && !reports.empty()) open_saga_watch_->refresh_soon();
    co_return reports;
}

asio::awaitable<HostReport> SagaCoordinator::read(std::size_t host, std::string group) {
    SagaMachine machine(blank_report(Operation::verify, group, {urls_.at(host)}), settings(false), policy_, &budget_);
    const std::vector<Node*> nodes{configured_.at(host)};
    auto report = co_await carry_out(machine, nodes, std::nullopt, Clock::now() + options_.retry.saga_deadline);
    co_return report.hosts.front();
}

}  // namespace cluster_client::saga
