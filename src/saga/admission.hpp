// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include <cluster_client/report.hpp>

#include "retry/retry_policy.hpp"
#include "saga/log_records.hpp"

namespace cluster_client::saga {

/// How a saga is admitted to its group in the saga log (I5), sans-io like the SagaMachine:
/// the runner carries out each action and reports what came of it.
///
/// The saga begins in the log. A saga that a dead process (or this one, earlier) left open
/// on the group is recovered first; if it stays open the new saga is busy, since it could
/// undo or be undone by the open one. A saga a live process runs on the group is waited
/// for, polling, until `lock_wait` has passed; then the new saga is busy.
class Admission {
public:
    using Clock = retry::Clock;

    // What to do next.
    struct Begin {};  ///< begin the saga in the log (intent and lease, atomically)
    struct RecoverFirst {
        SagaId saga;  ///< adopt this open saga and recover it, then report on_recovered
    };
    struct PauseUntil {
        Clock::time_point until;  ///< then report on_paused
    };
    struct Admitted {
        SagaId saga;  ///< the saga is durable and holds the group
    };
    struct Busy {
        std::string reason;  ///< nothing was sent; for the report and the user
    };
    using Action = std::variant<Begin, RecoverFirst, PauseUntil, Admitted, Busy>;

    /// How long between two tries while another process holds the group.
    static constexpr std::chrono::milliseconds poll{20};

    Admission(Clock::time_point now, std::chrono::milliseconds lock_wait) : give_up_(now + lock_wait) {}

    Action start() const { return Begin{}; }
    Action on_begun(const BeginResult& begun, Clock::time_point now);
    /// `recovered` is false when the open saga could not be adopted (another process took
    /// it, or it ended meanwhile); otherwise `outcome` is how its recovery ended.
    Action on_recovered(bool recovered, SagaOutcome outcome, Clock::time_point now);
    Action on_paused() const { return Begin{}; }

private:
    Action wait_or_give_up(Clock::time_point now) const;

    Clock::time_point give_up_;
    SagaId recovering_ = 0;
};

}  // namespace cluster_client::saga
