// SPDX-License-Identifier: MIT
#include "retry/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include <cluster_client/errors.hpp>

namespace cluster_client::retry {
namespace {

using std::chrono::milliseconds;

std::string ms_text(milliseconds d) {
    return std::to_string(d.count()) + "ms";
}

void require_positive(const char* name, milliseconds d) {
    if (d.count() <= 0) {
        throw ConfigError(std::string("retry: ") + name + " must be positive (got " + ms_text(d) + ")");
    }
}

}  // namespace

RetryPolicy::RetryPolicy(const RetryOptions& options) : options_(options) {
    validate(options_);
}

void RetryPolicy::validate(const RetryOptions& options) {
    if (options.max_attempts < 1) {
        throw ConfigError("retry: max_attempts must be at least 1 (got " + std::to_string(options.max_attempts) + ")");
    }
    require_positive("initial_backoff", options.initial_backoff);
    require_positive("max_backoff", options.max_backoff);
    require_positive("attempt_timeout", options.attempt_timeout);
    require_positive("deadline", options.deadline);
    // Written so that NaN fails too.
    if (!(options.multiplier >= 1.0) || !std::isfinite(options.multiplier)) {
        std::ostringstream got;
        got << options.multiplier;
        throw ConfigError("retry: multiplier must be a finite number of at least 1 (got " + got.str() + ")");
    }
    require_positive("saga_deadline", options.saga_deadline);
    require_positive("breaker_cooldown", options.breaker_cooldown);
    if (options.saga_deadline < options.deadline) {
        throw ConfigError("retry: saga_deadline must be at least deadline, so that compensation has time (got " +
                          ms_text(options.saga_deadline) + " < " + ms_text(options.deadline) + ")");
    }
    if (options.budget_tokens < 1) {
        throw ConfigError("retry: budget_tokens must be at least 1 (got " + std::to_string(options.budget_tokens) +
                          ")");
    }
    if (!(options.budget_refill > 0.0) || !std::isfinite(options.budget_refill)) {
        std::ostringstream got;
        got << options.budget_refill;
        throw ConfigError("retry: budget_refill must be a positive number (got " + got.str() + ")");
    }
    if (options.breaker_failures < 1) {
        throw ConfigError("retry: breaker_failures must be at least 1 (got " +
                          std::to_string(options.breaker_failures) + ")");
    }
    if (options.initial_backoff > options.max_backoff) {
        throw ConfigError("retry: initial_backoff must not exceed max_backoff (got " +
                          ms_text(options.initial_backoff) + " > " + ms_text(options.max_backoff) + ")");
    }
}

milliseconds RetryPolicy::backoff(int attempts_made) const {
    const int exponent = std::max(attempts_made, 1) - 1;
    // In double, where multiplier^n overflows to infinity instead of wrapping; the
    // comparison below then caps it.
    const double grown =
        static_cast<double>(options_.initial_backoff.count()) * std::pow(options_.multiplier, exponent);
    const auto cap = static_cast<double>(options_.max_backoff.count());
    if (!(grown < cap)) return options_.max_backoff;
    return milliseconds{std::llround(grown)};
}

Clock::time_point RetryPolicy::step_deadline(Clock::time_point now, Clock::time_point saga_end) const {
    // Compared as durations left, so that a saga_end of time_point::max() cannot overflow.
    if (saga_end - now < options_.deadline) return saga_end;
    return now + options_.deadline;
}

Decision RetryPolicy::after_failure(int attempts_made, Clock::time_point deadline, Clock::time_point now,
                                    std::optional<milliseconds> retry_after, double uniform) const {
    if (attempts_made >= options_.max_attempts) return {Decision::Kind::attempts_exhausted};

    milliseconds delay = backoff(attempts_made);
    if (options_.jitter) {
        // Scaling by backoff + 1 and flooring makes every whole millisecond of [0, backoff]
        // equally likely for a uniform in [0, 1).
        const double u = std::clamp(std::isnan(uniform) ? 0.0 : uniform, 0.0, 1.0);
        const auto span = static_cast<double>(delay.count() + 1);
        delay = std::min(delay, milliseconds{static_cast<milliseconds::rep>(u * span)});
    }
    if (retry_after && *retry_after > delay) delay = *retry_after;

    if (delay >= deadline - now) return {Decision::Kind::deadline_exceeded};
    return {Decision::Kind::retry, delay};
}

milliseconds RetryPolicy::attempt_timeout(Clock::time_point deadline, Clock::time_point now) const {
    const auto left = deadline - now;
    if (left <= Clock::duration::zero()) return milliseconds{0};
    // Truncated, so an attempt never outlives the deadline.
    return std::min(options_.attempt_timeout, std::chrono::duration_cast<milliseconds>(left));
}

}  // namespace cluster_client::retry
