// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/retry_budget.hpp"
#include "retry/retry_policy.hpp"
#include "saga/claim.hpp"
#include "saga/create_step.hpp"
#include "saga/delete_step.hpp"
#include "saga/log_records.hpp"
#include "saga/read_step.hpp"
#include "saga/saga_plan.hpp"

namespace cluster_client::saga {

/// The host index of a record about the whole saga (its phase, its end).
inline constexpr std::size_t whole_saga = std::numeric_limits<std::size_t>::max();

// ---- What the saga machine asks its runner to do. Several may be outstanding at once
// (one per node at most, plus none while a saga-wide record is pending).

/// Send `call` to node `host`. A forward step's first request is `gated`: the node's circuit
/// breaker may refuse it (the runner then replies `refused` without sending). The request
/// must end by `deadline`.
struct SendRequest {
    std::size_t host;
    node_api::Call call;
    Clock::time_point deadline;
    bool gated;
};
/// Append a record and report when it is durable: a fact about node `host`, the saga's
/// phase, or its end (`host` is whole_saga for the last two).
struct EndRecord {
    SagaOutcome outcome;
    std::vector<HostState> host_states;
};
struct AppendRecord {
    std::size_t host;
    std::variant<Fact, Phase, EndRecord> record;
};
/// Wake node `host`'s step at `until`.
struct WaitUntil {
    std::size_t host;
    Clock::time_point until;
};
/// The saga has ended (report()), or stopped because its log failed (log_error()).
struct SagaDone {};
using SagaAction = std::variant<SendRequest, AppendRecord, WaitUntil, SagaDone>;

// ---- What happened.

/// The saga holds its group and begins; it must end by `end` (its saga deadline).
struct SagaStarted {
    Clock::time_point now;
    Clock::time_point end;
};
/// Node `host` answered (or the request failed: the reply says how). `sent` is false when
/// nothing went out (an open breaker, no time left).
struct NodeReplied {
    std::size_t host;
    node_api::NodeReply reply;
    Clock::time_point now;
    double uniform = 0.0;  ///< in [0, 1), for jitter
    bool sent = true;
};
struct TimerFired {
    std::size_t host;
    Clock::time_point now;
};
/// A record is durable (`error` empty), or could not be written.
struct RecordAppended {
    std::size_t host;
    Clock::time_point now;
    std::string error;
};
using SagaEvent = std::variant<SagaStarted, NodeReplied, TimerFired, RecordAppended>;

/// What the machine needs to know besides the events.
struct SagaSettings {
    Ownership ownership = Ownership::strict;
    DeleteMode delete_mode = DeleteMode::rollback;
    /// False without a saga log: records are then taken as durable at once.
    bool logged = true;
};

/// A saga as recovery finds it in the log.
struct LoggedSaga {
    Phase phase = Phase::forward;
    std::vector<std::vector<Fact>> facts;  ///< per node, in recording order
    /// The outcome it last ended with, leaving work for recovery; none if it never ended.
    /// A delete that ended incomplete went forward (--delete-mode forward), and its
    /// recovery keeps it forward, whatever the recovering client's delete mode.
    std::optional<SagaOutcome> outcome{};
};

/// The whole saga as one sans-io machine (docs/sagas.md): the forward steps of every node
/// in parallel, the plan, the compensation, the log's records, and recovery from logged
/// facts. `resume(event)` returns the actions to carry out now; the runner carries them
/// out and feeds back one event for each (SendRequest -> NodeReplied, WaitUntil ->
/// TimerFired, AppendRecord -> RecordAppended). SagaDone comes once, when nothing is
/// outstanding. The same machine runs in the client and in the simulator.
///
/// The rules it keeps: every fact a later decision depends on is durable before the action
/// that depends on it; no node the saga may have written is dropped silently (it is
/// compensated, or the saga ends rollback_incomplete naming it); compensation runs until
/// the saga's end, not for a number of attempts.
class SagaMachine {
public:
    /// A new saga. `report` names the group, the operation and the hosts.
    SagaMachine(SagaReport report, const SagaSettings& settings, const retry::RetryPolicy& policy,
                retry::RetryBudget* budget);
    /// Recovery of `logged`: a create, or a saga already compensating, is undone wherever
    /// its facts say it may have written; a delete or an ensure is driven forward again.
    SagaMachine(SagaReport report, const SagaSettings& settings, const retry::RetryPolicy& policy,
                retry::RetryBudget* budget, LoggedSaga logged);

    SagaMachine(const SagaMachine&) = delete;
    SagaMachine& operator=(const SagaMachine&) = delete;
    ~SagaMachine() = default;

    std::vector<SagaAction> resume(const SagaEvent& event);

    /// The report so far; final once SagaDone was returned.
    const SagaReport& report() const { return report_; }
    /// Why the saga stopped early: a record could not be made durable. The saga is then
    /// left open in the log, for recovery.
    const std::optional<std::string>& log_error() const { return log_error_; }

private:
    enum class Stage { idle, forward, record_phase, compensate, record_end, done };
    using Step = std::variant<std::monostate, CreateStep, DeleteStep, ReadStep>;
    struct Node {
        Step step;
        bool outstanding = false;  ///< an action of this node is being carried out
        bool running = false;      ///< its step has not finished
        bool gated = false;        ///< its next request may be refused by the node's breaker
        std::vector<Fact> facts;   ///< logged earlier (recovery) and recorded by this run
        StepResult result;
    };

    void on_started(const SagaStarted& started, std::vector<SagaAction>& out);
    void on_appended(const RecordAppended& appended, std::vector<SagaAction>& out);
    void undo_from_facts(Clock::time_point now, std::vector<SagaAction>& out);
    /// Starts the step just placed in node `host`.
    void start_step(std::size_t host, Clock::time_point now, bool gated, std::vector<SagaAction>& out);
    void step_resume(std::size_t host, const Event& event, Clock::time_point now, std::vector<SagaAction>& out);
    void after_forward(Clock::time_point now, std::vector<SagaAction>& out);
    void compensate_or_end(Clock::time_point now, std::vector<SagaAction>& out);
    void start_compensation(Clock::time_point now, std::vector<SagaAction>& out);
    void after_compensation_steps(std::vector<SagaAction>& out);
    void record_end(std::vector<SagaAction>& out);
    void stop_if_idle(std::vector<SagaAction>& out);
    void finish(std::vector<SagaAction>& out);
    bool any_outstanding() const;
    Claim claim(std::size_t host) const { return claim_of(report_.operation, nodes_[host].facts); }

    SagaReport report_;
    SagaSettings settings_;
    const retry::RetryPolicy& policy_;
    retry::RetryPolicy compensation_policy_;
    retry::RetryBudget* budget_;
    std::optional<LoggedSaga> recovering_;
    std::vector<Node> nodes_;
    Stage stage_ = Stage::idle;
    Clock::time_point end_{};
    Plan plan_;
    bool phase_logged_ = false;         ///< the log already says the saga is compensating
    bool saga_record_pending_ = false;  ///< a phase or end record is being made durable
    std::optional<std::string> log_error_;
};

}  // namespace cluster_client::saga
