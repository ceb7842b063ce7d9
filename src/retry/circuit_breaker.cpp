// SPDX-License-Identifier: MIT
#include "retry/circuit_breaker.hpp"

namespace cluster_client::retry {

CircuitBreaker::CircuitBreaker(const RetryOptions& options)
    : threshold_(options.breaker_failures), cooldown_(options.breaker_cooldown) {}

bool CircuitBreaker::allow(Clock::time_point now) {
    switch (state_) {
        case State::closed: return true;
        case State::open:
            if (now < open_until_) return false;
            state_ = State::half_open;
            probing_ = true;
            return true;
        case State::half_open:
            // One probe at a time: the others wait for its verdict by failing fast.
            if (probing_) return false;
            probing_ = true;
            return true;
    }
    return true;
}

void CircuitBreaker::on_answer() {
    state_ = State::closed;
    failures_ = 0;
    probing_ = false;
}

void CircuitBreaker::on_failure(Clock::time_point now) {
    ++failures_;
    probing_ = false;
    if (state_ == State::half_open || failures_ >= threshold_) {
        state_ = State::open;
        open_until_ = now + cooldown_;
    }
}

}  // namespace cluster_client::retry
