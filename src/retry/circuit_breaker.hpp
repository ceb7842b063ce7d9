// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>

#include <cluster_client/options.hpp>

namespace cluster_client::retry {

/// One node's circuit breaker (I6, I7): after `breaker_failures` failed calls in a row
/// (nothing sent, no clear answer, or 429) it opens, and new forward steps on that node fail
/// at once instead of spending their deadline and the retry budget on it. After
/// `breaker_cooldown` it lets one probe through (half-open): an answer closes it, a failure
/// opens it for another cool-down. Pure: the caller passes the time.
class CircuitBreaker {
public:
    using Clock = std::chrono::steady_clock;
    enum class State { closed, open, half_open };

    explicit CircuitBreaker(const RetryOptions& options);

    /// May a call go out at `now`? In half-open state only the one probe may.
    bool allow(Clock::time_point now);
    /// The node answered: the breaker closes.
    void on_answer();
    /// The call failed without a clear answer.
    void on_failure(Clock::time_point now);

    State state() const { return state_; }
    int consecutive_failures() const { return failures_; }
    /// When an open breaker lets its next probe through.
    Clock::time_point reopens_at() const { return open_until_; }

private:
    int threshold_;
    Clock::duration cooldown_;
    State state_ = State::closed;
    int failures_ = 0;
    bool probing_ = false;
    Clock::time_point open_until_{};
};

}  // namespace cluster_client::retry
