// SPDX-License-Identifier: MIT
#include "saga/saga_plan.hpp"

#include <algorithm>

namespace cluster_client::saga {

namespace {

bool all_in(std::span<const StepResult> steps, std::initializer_list<HostState> states) {
    return std::all_of(steps.begin(), steps.end(), [&](const StepResult& step) {
        return std::find(states.begin(), states.end(), step.state) != states.end();
    });
}

bool any_is(std::span<const StepResult> steps, HostState state) {
    return std::any_of(steps.begin(), steps.end(), [&](const StepResult& step) { return step.state == state; });
}

// Our writes: what we surely applied (`done`) and what we may have applied (unknown).
std::vector<std::size_t> ours(std::span<const StepResult> steps, HostState done) {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& step = steps[i];
        if (step.state == done || (step.state == HostState::unknown && step.wrote)) indices.push_back(i);
    }
    return indices;
}

}  // namespace

Plan plan_after_forward(Operation operation, std::span<const StepResult> steps, bool rollback) {
    using enum HostState;
    switch (operation) {
        case Operation::create:
            if (all_in(steps, {already_present})) return {SagaOutcome::already_exists, {}};
            if (all_in(steps, {created})) return {SagaOutcome::created, {}};
            if (all_in(steps, {created, already_present})) return {SagaOutcome::conflict, ours(steps, created)};
            return {SagaOutcome::rolled_back, ours(steps, created)};
        case Operation::ensure:
            if (all_in(steps, {already_present})) return {SagaOutcome::already_exists, {}};
            if (all_in(steps, {created, already_present})) return {SagaOutcome::created, {}};
            return {SagaOutcome::incomplete, {}};
        case Operation::delete_:
            if (all_in(steps, {already_absent})) return {SagaOutcome::not_found, {}};
            if (all_in(steps, {deleted, already_absent})) return {SagaOutcome::deleted, {}};
            if (!rollback) return {SagaOutcome::incomplete, {}};
            return {SagaOutcome::rolled_back, ours(steps, deleted)};
        case Operation::verify:
            if (all_in(steps, {present})) return {SagaOutcome::present, {}};
            if (any_is(steps, unknown)) return {SagaOutcome::unknown, {}};
            return {SagaOutcome::absent, {}};
    }
    return {SagaOutcome::unknown, {}};
}

HostState after_compensation(Operation operation, HostState compensation_state) {
    using enum HostState;
    if (operation == Operation::delete_) {
        return compensation_state == created || compensation_state == already_present ? restored : rollback_failed;
    }
    return compensation_state == deleted || compensation_state == already_absent ? rolled_back : rollback_failed;
}

SagaOutcome final_outcome(const Plan& plan, std::span<const HostState> compensated_states) {
    const bool failed = std::any_of(compensated_states.begin(), compensated_states.end(),
                                    [](HostState state) { return state == HostState::rollback_failed; });
    return failed ? SagaOutcome::rollback_incomplete : plan.outcome;
}

}  // namespace cluster_client::saga
