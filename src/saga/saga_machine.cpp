// SPDX-License-Identifier: MIT
#include "saga/saga_machine.hpp"

#include <algorithm>

#include "saga/overloaded.hpp"

namespace cluster_client::saga {

namespace {

// A compensation is what keeps all-or-none: it runs until the saga's end, however many
// attempts that takes, instead of giving up after max_attempts with time left.
RetryOptions compensation_options(RetryOptions options) {
    options.max_attempts = std::numeric_limits<int>::max();
    options.deadline = options.saga_deadline;
    return options;
}

}  // namespace

SagaMachine::SagaMachine(SagaReport report, const SagaSettings& settings, const retry::RetryPolicy& policy,
                         retry::RetryBudget* budget)
    : report_(std::move(report)),
      settings_(settings),
      policy_(policy),
      compensation_policy_(compensation_options(policy.options())),
      budget_(budget),
      nodes_(report_.hosts.size()) {}

SagaMachine::SagaMachine(SagaReport report, const SagaSettings& settings, const retry::RetryPolicy& policy,
                         retry::RetryBudget* budget, LoggedSaga logged)
    : SagaMachine(std::move(report), settings, policy, budget) {
    for (std::size_t i = 0; i < nodes_.size() && i < logged.facts.size(); ++i) nodes_[i].facts = logged.facts[i];
    recovering_ = std::move(logged);
}

bool SagaMachine::any_outstanding() const {
    return std::any_of(nodes_.begin(), nodes_.end(), [](const Node& node) { return node.outstanding; });
}

std::vector<SagaAction> SagaMachine::resume(const SagaEvent& event) {
    std::vector<SagaAction> out;
    if (stage_ == Stage::done) return out;
    std::visit(
        overloaded{
            [&](const SagaStarted& started) { on_started(started, out); },
            [&](const NodeReplied& replied) {
                auto& node = nodes_.at(replied.host);
                node.outstanding = false;
                if (replied.sent) {
                    ++report_.hosts[replied.host].attempts;
                    node.gated = false;
                }
                if (log_error_) return stop_if_idle(out);
                step_resume(replied.host, Replied{replied.reply, replied.now, replied.uniform}, replied.now, out);
            },
            [&](const TimerFired& fired) {
                nodes_.at(fired.host).outstanding = false;
                if (log_error_) return stop_if_idle(out);
                step_resume(fired.host, Waited{}, fired.now, out);
            },
            [&](const RecordAppended& appended) { on_appended(appended, out); }},
        event);
    return out;
}

void SagaMachine::on_started(const SagaStarted& started, std::vector<SagaAction>& out) {
    end_ = started.end;
    stage_ = Stage::forward;
    const bool undo_only = recovering_ &&
                           (report_.operation == Operation::create || recovering_->phase == Phase::compensating);
    if (undo_only) {
        undo_from_facts(started.now, out);
        return;
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        auto& step = nodes_[i].step;
        switch (report_.operation) {
            case Operation::create: {
                const bool strict = settings_.ownership == Ownership::strict;
                step.emplace<CreateStep>(policy_, strict ? CreateStep::Mode::strict : CreateStep::Mode::fast, budget_);
                break;
            }
            case Operation::ensure: step.emplace<CreateStep>(policy_, CreateStep::Mode::converge, budget_); break;
            // Deletes always read first, in fast ownership too: see DeleteStep::Mode::strict.
            case Operation::delete_: step.emplace<DeleteStep>(policy_, DeleteStep::Mode::strict, budget_); break;
            case Operation::verify: step.emplace<ReadStep>(policy_, budget_); break;
        }
        start_step(i, started.now, true, out);
    }
}

void SagaMachine::undo_from_facts(Clock::time_point now, std::vector<SagaAction>& out) {
    // Undone wherever the facts say the saga may have written; the rest is not ours.
    plan_.outcome = SagaOutcome::rolled_back;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (claim(i) == Claim::none) {
            nodes_[i].result = {HostState::failed, false};
        } else {
            nodes_[i].result = {HostState::unknown, true};
            plan_.compensate.push_back(i);
        }
        report_.hosts[i].state = nodes_[i].result.state;
    }
    phase_logged_ = recovering_->phase == Phase::compensating;
    compensate_or_end(now, out);
}

void SagaMachine::on_appended(const RecordAppended& appended, std::vector<SagaAction>& out) {
    const bool saga_record = appended.host == whole_saga;
    if (saga_record) {
        saga_record_pending_ = false;
    } else {
        nodes_.at(appended.host).outstanding = false;
    }
    if (!appended.error.empty() && !log_error_) log_error_ = appended.error;
    if (log_error_) {
        stop_if_idle(out);
    } else if (!saga_record) {
        step_resume(appended.host, Recorded{}, appended.now, out);
    } else if (stage_ == Stage::record_phase) {
        start_compensation(appended.now, out);
    } else {
        finish(out);
    }
}

void SagaMachine::start_step(std::size_t host, Clock::time_point now, bool gated, std::vector<SagaAction>& out) {
    auto& node = nodes_[host];
    node.running = true;
    node.gated = gated;
    step_resume(host, Start{now, end_}, now, out);
}

void SagaMachine::step_resume(std::size_t host, const Event& event, Clock::time_point now,
                              std::vector<SagaAction>& out) {
    auto& node = nodes_[host];
    const Action action = std::visit(overloaded{[](std::monostate) -> Action { return Finish{HostState::unknown}; },
                                                [&](auto& step) -> Action { return step.resume(event); }},
                                     node.step);
    if (const auto* send = std::get_if<Send>(&action)) {
        node.outstanding = true;
        const auto deadline = std::visit(overloaded{[](std::monostate) { return Clock::time_point{}; },
                                                    [](const auto& step) { return step.deadline(); }},
                                         node.step);
        out.push_back(SendRequest{host, send->call, deadline, node.gated});
    } else if (const auto* wait = std::get_if<Wait>(&action)) {
        node.outstanding = true;
        out.push_back(WaitUntil{host, now + wait->delay});
    } else if (const auto* record = std::get_if<Record>(&action)) {
        node.facts.push_back(record->fact);
        if (settings_.logged) {
            node.outstanding = true;
            out.push_back(AppendRecord{host, record->fact});
        } else {
            step_resume(host, Recorded{}, now, out);
        }
    } else {
        node.running = false;
        node.result.state = std::get<Finish>(action).state;
        std::visit(overloaded{[](std::monostate) {},
                              [&](const auto& step) {
                                  node.result.wrote = step.wrote();
                                  if (!step.last_error().empty()) report_.hosts[host].last_error = step.last_error();
                              }},
                   node.step);
        node.step.emplace<std::monostate>();
        const bool all_finished = std::none_of(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.running; });
        if (all_finished) {
            if (stage_ == Stage::forward) {
                after_forward(now, out);
            } else {
                after_compensation_steps(out);
            }
        }
    }
}

void SagaMachine::after_forward(Clock::time_point now, std::vector<SagaAction>& out) {
    std::vector<StepResult> results;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        auto& result = nodes_[i].result;
        // Recovery of a delete: the run that crashed may have deleted where the facts say
        // so. Its absence is still ours to restore, and a node that cannot be read now is
        // one we may have written: it is compensated or the saga stays open, never dropped.
        if (recovering_ && report_.operation == Operation::delete_ && claim(i) != Claim::none) {
            if (result.state == HostState::already_absent) result = {HostState::deleted, true};
            if (result.state == HostState::failed || result.state == HostState::unknown) {
                result = {HostState::unknown, true};
            }
        }
        report_.hosts[i].state = result.state;
        results.push_back(result);
    }
    // A delete goes forward when this client says so, or when its first run went forward.
    const bool went_forward = recovering_ && recovering_->outcome == SagaOutcome::incomplete;
    const bool rollback = settings_.delete_mode == DeleteMode::rollback && !went_forward;
    plan_ = plan_after_forward(report_.operation, results, rollback);
    compensate_or_end(now, out);
}

void SagaMachine::compensate_or_end(Clock::time_point now, std::vector<SagaAction>& out) {
    if (plan_.compensate.empty()) {
        record_end(out);
    } else if (settings_.logged && !phase_logged_) {
        // Recovery must know the saga was undoing itself before the first undo goes out.
        stage_ = Stage::record_phase;
        phase_logged_ = true;
        saga_record_pending_ = true;
        out.push_back(AppendRecord{whole_saga, Phase::compensating});
    } else {
        start_compensation(now, out);
    }
}

void SagaMachine::start_compensation(Clock::time_point now, std::vector<SagaAction>& out) {
    stage_ = Stage::compensate;
    for (const auto i : plan_.compensate) {
        auto& step = nodes_[i].step;
        if (report_.operation == Operation::delete_) {
            step.emplace<CreateStep>(compensation_policy_, CreateStep::Mode::restore);
        } else {
            step.emplace<DeleteStep>(compensation_policy_, DeleteStep::Mode::undo);
        }
        // Compensation passes no circuit breaker and draws on no retry budget: giving it
        // up early is what would leave a partial group.
        start_step(i, now, false, out);
    }
}

void SagaMachine::after_compensation_steps(std::vector<SagaAction>& out) {
    for (const auto i : plan_.compensate) {
        report_.hosts[i].state = after_compensation(report_.operation, nodes_[i].result.state);
    }
    record_end(out);
}

void SagaMachine::record_end(std::vector<SagaAction>& out) {
    std::vector<HostState> compensated;
    for (const auto i : plan_.compensate) compensated.push_back(report_.hosts[i].state);
    report_.outcome = final_outcome(plan_, compensated);
    if (!settings_.logged) {
        finish(out);
        return;
    }
    stage_ = Stage::record_end;
    saga_record_pending_ = true;
    std::vector<HostState> states;
    for (const auto& host : report_.hosts) states.push_back(host.state);
    out.push_back(AppendRecord{whole_saga, EndRecord{report_.outcome, std::move(states)}});
}

void SagaMachine::stop_if_idle(std::vector<SagaAction>& out) {
    if (!any_outstanding() && !saga_record_pending_) finish(out);
}

void SagaMachine::finish(std::vector<SagaAction>& out) {
    stage_ = Stage::done;
    out.push_back(SagaDone{});
}

}  // namespace cluster_client::saga
