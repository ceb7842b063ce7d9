// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/circuit_breaker.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace cluster_client::metrics {

using Seconds = std::chrono::duration<double>;

/// How an ambiguous write (sent, then no clear answer) was settled by reading the node.
enum class Resolution {
    applied,      ///< the read saw the write's effect
    not_applied,  ///< the read saw none: the write is sent again or given up
    unresolved,   ///< the step ended before a read could tell
};

/// The families of a client's series, in its registry.
struct Families;

/// The series of one node (docs/operations.md, "Metrics"): its requests by call and result,
/// their durations, its retries, and the state of its breaker. Each series is looked up once,
/// on its first use (so that no impossible pair, a GET that deleted, is ever shown), and
/// kept, so that a request costs no label lookup.
class NodeMetrics {
public:
    NodeMetrics(Families& families, std::string url);

    /// A request ended with `reply`; `took` is how long it was out, for one that was sent.
    void request(node_api::Call call, node_api::Reply reply, std::optional<Seconds> took);
    /// A request is a retry of an earlier one (it comes after a back-off wait).
    void retry(node_api::Call call);
    /// The node's breaker is now in `state`.
    void breaker(retry::CircuitBreaker::State state);

private:
    static constexpr std::size_t calls = enum_names(node_api::Call{}).size();
    static constexpr std::size_t replies = enum_names(node_api::Reply{}).size();
    static constexpr std::size_t breaker_states = 3;

    std::array<std::array<prometheus::Counter*, replies>, calls> requests_{};
    std::array<prometheus::Histogram*, calls> durations_{};
    std::array<prometheus::Counter*, calls> retries_{};
    std::array<prometheus::Gauge*, breaker_states> breaker_{};
    int breaker_state_ = -1;
    Families& families_;
    std::string url_;
};

/// The Prometheus series of a client, registered with the application's registry
/// (ClientOptions::metrics). Without a registry every member does nothing: a client that
/// is not watched pays a null check. Several clients on one registry share its series.
/// Not thread-safe itself (the client's strand calls it), except set_open_sagas().
class ClientMetrics {
public:
    explicit ClientMetrics(std::shared_ptr<prometheus::Registry> registry);
    ~ClientMetrics();
    ClientMetrics(const ClientMetrics&) = delete;
    ClientMetrics& operator=(const ClientMetrics&) = delete;

    bool enabled() const { return registry_ != nullptr; }

    /// The series of the node at canonical `url`; null when disabled. Stable for the
    /// client's life.
    NodeMetrics* node(const std::string& url);

    /// A saga starts, and later leaves (however it ends, a failed log write included).
    void saga_started(Operation operation);
    void saga_left();
    /// A saga ended with `report` (busy included), or one recovery finished (`recovered`).
    void saga_ended(const SagaReport& report, bool recovered, Seconds took);
    /// An ambiguous answer to `call` (a write), and later how it was settled.
    void ambiguous(node_api::Call call);
    void resolved(node_api::Call call, Resolution resolution);
    void retry_budget(double tokens);
    void log_write(Seconds took);
    /// The log's open sagas, and how long ago the oldest began (0 with none). Any thread.
    void set_open_sagas(std::size_t count, Seconds oldest_age);

private:
    std::shared_ptr<prometheus::Registry> registry_;
    std::unique_ptr<Families> families_;
    std::map<std::string, std::unique_ptr<NodeMetrics>> nodes_;
};

}  // namespace cluster_client::metrics
