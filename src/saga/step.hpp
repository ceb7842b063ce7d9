// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/retry_budget.hpp"
#include "retry/retry_policy.hpp"
#include "saga/fact.hpp"

namespace cluster_client::saga {

using Clock = retry::Clock;

// What a step machine asks its driver to do next.
struct Send {
    node_api::Call call;
};
struct Wait {
    std::chrono::milliseconds delay;
};
struct Record {
    Fact fact;
};
struct Finish {
    HostState state;
};
using Action = std::variant<Send, Wait, Record, Finish>;

// What happened since the last action.
struct Start {
    Clock::time_point now;
    /// When the whole saga must end: the step's deadline never passes it.
    Clock::time_point saga_end = Clock::time_point::max();
};
struct Replied {
    node_api::NodeReply reply;
    Clock::time_point now;
    double uniform = 0.0;  ///< in [0, 1), for jitter
};
struct Waited {};
struct Recorded {};
using Event = std::variant<Start, Replied, Waited, Recorded>;

/// What the machines share: the retry policy of one step (one deadline from Start over all
/// of its attempts, never past the saga's end), the retry budget its retries draw on (none
/// for a compensation, which must not be starved), the call to repeat after a wait, and the
/// last error for the report.
class StepBase {
public:
    explicit StepBase(const retry::RetryPolicy& policy, retry::RetryBudget* budget = nullptr)
        : policy_(policy), budget_(budget) {}

    /// When this step must end (set by Start).
    Clock::time_point deadline() const { return deadline_; }

    /// The last failure seen, naming the phase: "verify: HTTP 500".
    const std::string& last_error() const { return last_error_; }
    /// True when a write of this step may have applied (a 2xx, or an ambiguous answer).
    bool wrote() const { return wrote_; }

protected:
    void begin(const Start& start) { deadline_ = policy_.step_deadline(start.now, start.saga_end); }
    /// Names the phase that errors are reported under ("precheck", "create", "verify").
    void enter(const char* phase) { phase_ = phase; }
    Send send(node_api::Call call) {
        pending_ = call;
        return Send{call};
    }
    void note(const Replied& event) {
        // A request that found the deadline already passed reached no node and tells nothing
        // about it (a timer may fire a little late, after the policy allowed one more try):
        // the report keeps what the node last did.
        if (event.reply.reply == node_api::Reply::not_sent && event.now >= deadline_ && !last_error_.empty()) return;
        last_error_ = std::string(phase_) + ": " + event.reply.detail;
    }
    void note(std::string error) { last_error_ = std::string(phase_) + ": " + std::move(error); }
    /// Keeps a write's Retry-After (a 503 is ambiguous, so a read comes between the answer
    /// and the retry it applies to).
    void keep_hint(const Replied& event) { hint_ = event.reply.retry_after; }
    /// After `attempts_made` failed attempts of a call: wait, then send `next` again; or,
    /// when the policy or the retry budget says stop (or the node refused for good), finish
    /// in `give_up`.
    Action retry_or(const Replied& event, int attempts_made, node_api::Call next, HostState give_up);
    Send resend() const { return Send{pending_}; }

    bool wrote_ = false;

private:
    const retry::RetryPolicy& policy_;
    retry::RetryBudget* budget_;
    Clock::time_point deadline_{};
    const char* phase_ = "";
    node_api::Call pending_ = node_api::Call::get;
    std::string last_error_;
    std::optional<std::chrono::milliseconds> hint_;
};

}  // namespace cluster_client::saga
