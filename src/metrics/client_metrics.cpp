// SPDX-License-Identifier: MIT
#include "metrics/client_metrics.hpp"

#include <type_traits>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cluster_client/version.hpp>

namespace cluster_client::metrics {

namespace {

template <class Enum>
requires std::is_enum_v<Enum> std::size_t index_of(Enum value) {
    return static_cast<std::size_t>(value);
}

constexpr std::array<std::string_view, 3> breaker_names{"closed", "open", "half_open"};
constexpr std::array<std::string_view, 3> resolution_names{"applied", "not_applied", "unresolved"};

// From a LAN round trip to a request's whole default timeout (2 s) and past it.
const prometheus::Histogram::BucketBoundaries request_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5};
// From a saga of three round trips to its whole default deadline (30 s).
const prometheus::Histogram::BucketBoundaries saga_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,      2.5,   5,    10,    30,   60};
// From one group commit on a fast disk to a stalled database.
const prometheus::Histogram::BucketBoundaries log_buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                          0.025,  0.05,    0.1,    0.25,  0.5,    1};

std::string text(std::string_view name) {
    return std::string(name);
}

}  // namespace

struct Families {
    explicit Families(prometheus::Registry& registry)
        : sagas_started(prometheus::BuildCounter()
                            .Name("cluster_client_sagas_started_total")
                            .Help("Sagas started, by operation (recoveries not included).")
                            .Register(registry)),
          sagas_completed(prometheus::BuildCounter()
                              .Name("cluster_client_sagas_completed_total")
                              .Help("Sagas ended, by operation and outcome (busy included).")
                              .Register(registry)),
          sagas_recovered(prometheus::BuildCounter()
                              .Name("cluster_client_sagas_recovered_total")
                              .Help("Open sagas of the log finished or compensated by recovery, by operation "
                                    "and outcome.")
                              .Register(registry)),
          saga_duration(prometheus::BuildHistogram()
                            .Name("cluster_client_saga_duration_seconds")
                            .Help("How long a saga took, from its call to its end, by operation.")
                            .Register(registry)),
          in_flight(prometheus::BuildGauge()
                        .Name("cluster_client_sagas_in_flight")
                        .Help("Sagas started and not yet ended.")
                        .Register(registry)
                        .Add({})),
          requests(prometheus::BuildCounter()
                       .Name("cluster_client_node_requests_total")
                       .Help("Requests to a node, by node, call and result (not_sent: none went out).")
                       .Register(registry)),
          request_duration(prometheus::BuildHistogram()
                               .Name("cluster_client_node_request_duration_seconds")
                               .Help("How long a request sent to a node took, to its answer or failure.")
                               .Register(registry)),
          retries(prometheus::BuildCounter()
                      .Name("cluster_client_node_request_retries_total")
                      .Help("Requests sent again after a back-off, by node and call.")
                      .Register(registry)),
          ambiguous(prometheus::BuildCounter()
                        .Name("cluster_client_ambiguous_writes_total")
                        .Help("Writes sent that got no clear answer (timeout, reset, 5xx), by call.")
                        .Register(registry)),
          resolved(prometheus::BuildCounter()
                       .Name("cluster_client_ambiguous_writes_resolved_total")
                       .Help("Ambiguous writes settled by reading the node, by call and resolution.")
                       .Register(registry)),
          compensations(prometheus::BuildCounter()
                            .Name("cluster_client_compensations_total")
                            .Help("Nodes a saga compensated, by result (rollback_failed: left for recovery).")
                            .Register(registry)),
          breaker(prometheus::BuildGauge()
                      .Name("cluster_client_circuit_breaker_state")
                      .Help("1 for the state each node's circuit breaker is in, 0 for the others.")
                      .Register(registry)),
          budget(prometheus::BuildGauge()
                     .Name("cluster_client_retry_budget_tokens")
                     .Help("Tokens left in the client's retry budget.")
                     .Register(registry)
                     .Add({})),
          log_write(prometheus::BuildHistogram()
                        .Name("cluster_client_saga_log_write_duration_seconds")
                        .Help("From a saga's log write to its being durable (group commit included).")
                        .Register(registry)
                        .Add({}, log_buckets)),
          open_sagas(prometheus::BuildGauge()
                         .Name("cluster_client_open_sagas")
                         .Help("Sagas open in the saga log (of every coordinator sharing it).")
                         .Register(registry)
                         .Add({})),
          oldest_open_age(prometheus::BuildGauge()
                              .Name("cluster_client_oldest_open_saga_age_seconds")
                              .Help("How long ago the oldest open saga of the log began; 0 with none.")
                              .Register(registry)
                              .Add({})) {
        prometheus::BuildGauge()
            .Name("cluster_client_build_info")
            .Help("Always 1; the library's version is its label.")
            .Register(registry)
            .Add({{"version", text(version)}})
            .Set(1);
    }

    prometheus::Family<prometheus::Counter>& sagas_started;
    prometheus::Family<prometheus::Counter>& sagas_completed;
    prometheus::Family<prometheus::Counter>& sagas_recovered;
    prometheus::Family<prometheus::Histogram>& saga_duration;
    prometheus::Gauge& in_flight;
    prometheus::Family<prometheus::Counter>& requests;
    prometheus::Family<prometheus::Histogram>& request_duration;
    prometheus::Family<prometheus::Counter>& retries;
    prometheus::Family<prometheus::Counter>& ambiguous;
    prometheus::Family<prometheus::Counter>& resolved;
    prometheus::Family<prometheus::Counter>& compensations;
    prometheus::Family<prometheus::Gauge>& breaker;
    prometheus::Gauge& budget;
    prometheus::Histogram& log_write;
    prometheus::Gauge& open_sagas;
    prometheus::Gauge& oldest_open_age;
};

NodeMetrics::NodeMetrics(Families& families, std::string url) : families_(families), url_(std::move(url)) {
    for (std::size_t i = 0; i < breaker_names.size(); ++i) {
        breaker_[i] = &families_.breaker.Add({{"node", url_}, {"state", text(breaker_names[i])}});
    }
    breaker(retry::CircuitBreaker::State::closed);
}

void NodeMetrics::request(node_api::Call call, node_api::Reply reply, std::optional<Seconds> took) {
    const auto c = index_of(call);
    auto*& counter = requests_[c][index_of(reply)];
    if (counter == nullptr) {
        counter = &families_.requests.Add(
            {{"node", url_}, {"call", text(enum_name(call))}, {"result", text(enum_name(reply))}});
    }
    counter->Increment();
    if (!took) return;
    auto*& histogram = durations_[c];
    if (histogram == nullptr) {
        histogram = &families_.request_duration.Add({{"node", url_}, {"call", text(enum_name(call))}}, request_buckets);
    }
    histogram->Observe(took->count());
}

void NodeMetrics::retry(node_api::Call call) {
    auto*& counter = retries_[index_of(call)];
    if (counter == nullptr) counter = &families_.retries.Add({{"node", url_}, {"call", text(enum_name(call))}});
    counter->Increment();
}

void NodeMetrics::breaker(retry::CircuitBreaker::State state) {
    const auto now = static_cast<int>(state);
    if (now == breaker_state_) return;
    for (std::size_t i = 0; i < breaker_.size(); ++i) breaker_[i]->Set(static_cast<int>(i) == now ? 1 : 0);
    breaker_state_ = now;
}

ClientMetrics::ClientMetrics(std::shared_ptr<prometheus::Registry> registry) : registry_(std::move(registry)) {
    if (registry_) families_ = std::make_unique<Families>(*registry_);
}

ClientMetrics::~ClientMetrics() = default;

NodeMetrics* ClientMetrics::node(const std::string& url) {
    if (!families_) return nullptr;
    auto& node = nodes_[url];
    if (!node) node = std::make_unique<NodeMetrics>(*families_, url);
    return node.get();
}

void ClientMetrics::saga_started(Operation operation) {
    if (!families_) return;
    families_->sagas_started.Add({{"operation", text(enum_name(operation))}}).Increment();
    families_->in_flight.Increment();
}

void ClientMetrics::saga_left() {
    if (families_) families_->in_flight.Decrement();
}

void ClientMetrics::saga_ended(const SagaReport& report, bool recovered, Seconds took) {
    if (!families_) return;
    auto& f = *families_;
    const prometheus::Labels labels{{"operation", text(enum_name(report.operation))},
                                    {"outcome", text(enum_name(report.outcome))}};
    if (recovered) {
        f.sagas_recovered.Add(labels).Increment();
    } else {
        f.sagas_completed.Add(labels).Increment();
        f.saga_duration.Add({{"operation", text(enum_name(report.operation))}}, saga_buckets).Observe(took.count());
    }
    for (const auto& host : report.hosts) {
        if (host.state == HostState::rolled_back || host.state == HostState::restored ||
            host.state == HostState::rollback_failed) {
            f.compensations.Add({{"result", text(enum_name(host.state))}}).Increment();
        }
    }
}

void ClientMetrics::ambiguous(node_api::Call call) {
    if (!families_) return;
    families_->ambiguous.Add({{"call", text(enum_name(call))}}).Increment();
}

void ClientMetrics::resolved(node_api::Call call, Resolution resolution) {
    if (!families_) return;
    families_->resolved
        .Add({{"call", text(enum_name(call))}, {"resolution", text(resolution_names[index_of(resolution)])}})
        .Increment();
}

void ClientMetrics::retry_budget(double tokens) {
    if (families_) families_->budget.Set(tokens);
}

void ClientMetrics::log_write(Seconds took) {
    if (families_) families_->log_write.Observe(took.count());
}

void ClientMetrics::set_open_sagas(std::size_t count, Seconds oldest_age) {
    if (!families_) return;
    families_->open_sagas.Set(static_cast<double>(count));
    families_->oldest_open_age.Set(oldest_age.count());
}

}  // namespace cluster_client::metrics
