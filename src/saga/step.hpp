// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/retry_policy.hpp"
#include "saga/fact.hpp"

namespace cluster_client::saga {

using Clock = retry::Clock;

// What a step machine asks its driver to do next.
struct Send { node_api::Call call; };
struct Wait { std::chrono::milliseconds delay; };
struct Record { Fact fact; };
struct Finish { HostState state; };
using Action = std::variant<Send, Wait, Record, Finish>;

// What happened since the last action.
struct Start { Clock::time_point now; };
struct Replied {
    node_api::NodeReply reply;
    Clock::time_point now;
    double uniform = 0.0;  ///< in [0, 1), for jitter
};
struct Waited {};
struct Recorded {};
using Event = std::variant<Start, Replied, Waited, Recorded>;

/// What the machines share: the retry policy of one step (one deadline from Start over all
/// of its attempts), the call to repeat after a wait, and the last error for the report.
class StepBase {
public:
    explicit StepBase(const retry::RetryPolicy& policy) : policy_(policy) {}

    /// The last failure seen, naming the phase: "verify: HTTP 500".
    const std::string& last_error() const { return last_error_; }
    /// True when a write of this step may have applied (a 2xx, or an ambiguous answer).
    bool wrote() const { return wrote_; }

protected:
    void begin(Clock::time_point now) { started_ = now; }
    /// Names the phase that errors are reported under ("precheck", "create", "verify").
    void enter(const char* phase) { phase_ = phase; }
    Send send(node_api::Call call) {
        pending_ = call;
        return Send{call};
    }
    void note(const Replied& event) { last_error_ = std::string(phase_) + ": " + event.reply.detail; }
    void note(std::string error) { last_error_ = std::string(phase_) + ": " + std::move(error); }
    /// Keeps a write's Retry-After (a 503 is ambiguous, so a read comes between the answer
    /// and the retry it applies to).
    void keep_hint(const Replied& event) { hint_ = event.reply.retry_after; }
    /// After `attempts_made` failed attempts of a call: wait, then send `next` again; or,
    /// when the policy says stop (or the node refused for good), finish in `give_up`.
    Action retry_or(const Replied& event, int attempts_made, node_api::Call next, HostState give_up);
    Send resend() const { return Send{pending_}; }

    bool wrote_ = false;

private:
    const retry::RetryPolicy& policy_;
    Clock::time_point started_{};
    const char* phase_ = "";
    node_api::Call pending_ = node_api::Call::get;
    std::string last_error_;
    std::optional<std::chrono::milliseconds> hint_;
};

}  // namespace cluster_client::saga
