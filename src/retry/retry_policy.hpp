// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>

#include <cluster_client/options.hpp>

namespace cluster_client::retry {

using Clock = std::chrono::steady_clock;

/// What to do after a failed attempt.
struct Decision {
    enum class Kind {
        retry,               ///< wait `delay`, then try again
        attempts_exhausted,  ///< max_attempts reached
        deadline_exceeded,   ///< the next attempt could not start before the deadline
    };
    Kind kind;
    std::chrono::milliseconds delay{0};

    bool should_retry() const { return kind == Kind::retry; }
};

/// The retry policy of one step: exponential backoff with optional full jitter, bounded by
/// max_attempts and by the step's deadline. Pure: no clock, no I/O, no randomness of its
/// own (the caller passes time and a uniform random number), so it is tested with a fake
/// clock.
class RetryPolicy {
public:
    explicit RetryPolicy(const RetryOptions& options);

    /// When a step starting at `now` must end: `deadline` after it, or the saga's end
    /// `saga_end` if that comes first.
    Clock::time_point step_deadline(Clock::time_point now, Clock::time_point saga_end) const;

    /// Decides after attempt number `attempts_made` (1 for the first) failed.
    /// `deadline` is when the step must end, `now` the current time, `retry_after` a server
    /// hint (`Retry-After`) that overrides the backoff when larger, and `uniform` a number in
    /// [0, 1) used for jitter. The deadline is never passed: a delay that would end at or
    /// after it gives deadline_exceeded (a Retry-After is honoured only up to the deadline).
    Decision after_failure(int attempts_made, Clock::time_point deadline, Clock::time_point now,
                           std::optional<std::chrono::milliseconds> retry_after, double uniform) const;

    /// The backoff before jitter for attempt `attempts_made`:
    /// min(max_backoff, initial_backoff * multiplier^(attempts_made - 1)).
    std::chrono::milliseconds backoff(int attempts_made) const;

    /// The timeout of an attempt starting at `now`: attempt_timeout, cut to what is left
    /// before `deadline` (zero when it has passed).
    std::chrono::milliseconds attempt_timeout(Clock::time_point deadline, Clock::time_point now) const;

    /// Throws ConfigError naming the rule when the options are unusable (max_attempts < 1,
    /// negative or zero durations, multiplier < 1, initial_backoff > max_backoff,
    /// saga_deadline < deadline, budget_tokens or breaker_failures < 1, budget_refill not
    /// positive).
    static void validate(const RetryOptions& options);

    const RetryOptions& options() const { return options_; }

private:
    RetryOptions options_;
};

}  // namespace cluster_client::retry
