// SPDX-License-Identifier: MIT
// Step machines: whole scripted runs of the create, delete and read steps, and the saga plan.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <benchmark/benchmark.h>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/retry_policy.hpp"
#include "saga/create_step.hpp"
#include "saga/delete_step.hpp"
#include "saga/read_step.hpp"
#include "saga/saga_plan.hpp"

namespace {

using namespace std::chrono_literals;
using cluster_client::HostState;
using cluster_client::Operation;
using cluster_client::RetryOptions;
using cluster_client::SagaOutcome;
using cluster_client::node_api::Call;
using cluster_client::node_api::NodeReply;
using cluster_client::node_api::Reply;
using cluster_client::retry::RetryPolicy;
using cluster_client::saga::Action;
using cluster_client::saga::Clock;
using cluster_client::saga::CreateStep;
using cluster_client::saga::DeleteStep;
using cluster_client::saga::Event;
using cluster_client::saga::Fact;
using cluster_client::saga::Finish;
using cluster_client::saga::ReadStep;
using cluster_client::saga::Record;
using cluster_client::saga::Recorded;
using cluster_client::saga::Replied;
using cluster_client::saga::Send;
using cluster_client::saga::Start;
using cluster_client::saga::Wait;
using cluster_client::saga::Waited;

// The node's answers as the node layer hands them over.
NodeReply created() {
    return {Reply::created, "HTTP 201", std::nullopt};
}
NodeReply deleted() {
    return {Reply::deleted, "HTTP 200", std::nullopt};
}
NodeReply present() {
    return {Reply::present, "HTTP 200", std::nullopt};
}
NodeReply absent() {
    return {Reply::absent, "HTTP 404", std::nullopt};
}
NodeReply server_error() {
    return {Reply::maybe_applied, "HTTP 500", std::nullopt};
}
NodeReply timed_out() {
    return {Reply::maybe_applied, "read: timed out", std::nullopt};
}

// The retry options the client runs with by default, jitter included.
const RetryPolicy& default_policy() {
    static const RetryPolicy policy{RetryOptions{}};
    return policy;
}

std::string describe(const Action& action) {
    if (const auto* send = std::get_if<Send>(&action)) {
        return std::string(cluster_client::node_api::call_name(send->call));
    }
    if (const auto* wait = std::get_if<Wait>(&action)) return "wait(" + std::to_string(wait->delay.count()) + "ms)";
    if (const auto* record = std::get_if<Record>(&action)) {
        switch (record->fact) {
            case Fact::absent_before: return "record(absent_before)";
            case Fact::present_before: return "record(present_before)";
            case Fact::created: return "record(created)";
            case Fact::deleted: return "record(deleted)";
            case Fact::writing: return "record(writing)";
            case Fact::unwritten: return "record(unwritten)";
        }
    }
    return "finish(" + std::string(cluster_client::to_string(std::get<Finish>(action).state)) + ")";
}

// Drives `step` from Start as the saga coroutine does, with `script` as the node's answers
// (each taking 1ms on a fake clock), every wait elapsing at once and every record durable
// at once. Returns the state it finished in; nullopt when it asked for more answers than
// the script holds or did not finish. With `trace`, writes down every action.
template <class Step>
std::optional<HostState> drive(Step& step, std::span<const NodeReply> script, std::string* trace = nullptr) {
    auto now = Clock::time_point{} + 1h;
    std::size_t next = 0;
    Event event = Start{now};
    for (int guard = 0; guard < 100; ++guard) {
        const Action action = step.resume(event);
        if (trace != nullptr) {
            if (!trace->empty()) *trace += ' ';
            *trace += describe(action);
        }
        if (const auto* finish = std::get_if<Finish>(&action)) return finish->state;
        if (std::holds_alternative<Send>(action)) {
            if (next == script.size()) return std::nullopt;
            now += 1ms;
            event = Replied{script[next++], now, 0.5};
        } else if (const auto* wait = std::get_if<Wait>(&action)) {
            now += wait->delay;
            event = Waited{};
        } else {
            event = Recorded{};
        }
    }
    return std::nullopt;
}

// Checks once, before timing, that the script takes the machine down the expected path,
// then times whole runs, each on a fresh machine as a saga makes one per node.
template <class MakeStep>
void run(benchmark::State& state, MakeStep make_step, const std::vector<NodeReply>& script,
         std::string_view expected_trace, HostState expected) {
    {
        auto step = make_step();
        std::string trace;
        const auto end = drive(step, script, &trace);
        if (end != expected || trace != expected_trace) {
            state.SkipWithError(("unexpected path: " + trace).c_str());
            return;
        }
    }
    for (auto _ : state) {
        auto step = make_step();
        const auto end = drive(step, script);
        if (end != expected) {
            state.SkipWithError("the step did not finish in the expected state");
            break;
        }
        benchmark::DoNotOptimize(end);
        benchmark::DoNotOptimize(step.last_error());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_CreateStepStrictHappyPath(benchmark::State& state) {
    run(
        state, [] { return CreateStep(default_policy(), CreateStep::Mode::strict); }, {absent(), created(), present()},
        "GET record(absent_before) POST GET finish(created)", HostState::created);
}
BENCHMARK(BM_CreateStepStrictHappyPath);

// Two POSTs get no clear answer; each is resolved by a read that finds the group absent,
// then retried after a backoff; the third applies.
void BM_CreateStepStrictTwoRetries(benchmark::State& state) {
    run(
        state, [] { return CreateStep(default_policy(), CreateStep::Mode::strict); },
        {absent(), server_error(), absent(), timed_out(), absent(), created(), present()},
        "GET record(absent_before) POST GET wait(10ms) POST GET wait(20ms) POST GET finish(created)",
        HostState::created);
}
BENCHMARK(BM_CreateStepStrictTwoRetries);

void BM_DeleteStepStrictHappyPath(benchmark::State& state) {
    run(
        state, [] { return DeleteStep(default_policy(), DeleteStep::Mode::strict); }, {present(), deleted(), absent()},
        "GET record(present_before) DELETE record(deleted) GET finish(deleted)", HostState::deleted);
}
BENCHMARK(BM_DeleteStepStrictHappyPath);

void BM_ReadStepPresent(benchmark::State& state) {
    run(
        state, [] { return ReadStep(default_policy()); }, {present()}, "GET finish(present)", HostState::present);
}
BENCHMARK(BM_ReadStepPresent);

using cluster_client::saga::plan_after_forward;
using cluster_client::saga::StepResult;

// Every node created the group: nothing to compensate.
void BM_PlanAfterForwardAllCreated(benchmark::State& state) {
    const std::vector<StepResult> steps(static_cast<std::size_t>(state.range(0)), StepResult{HostState::created, true});
    for (auto _ : state) {
        auto plan = plan_after_forward(Operation::create, steps, true);
        if (plan.outcome != SagaOutcome::created) {
            state.SkipWithError("unexpected outcome");
            break;
        }
        benchmark::DoNotOptimize(plan);
    }
}
BENCHMARK(BM_PlanAfterForwardAllCreated)->Arg(5)->Arg(100);

// The last node failed: every other node's creation is ours to undo.
void BM_PlanAfterForwardLastFailed(benchmark::State& state) {
    const auto hosts = static_cast<std::size_t>(state.range(0));
    std::vector<StepResult> steps(hosts, StepResult{HostState::created, true});
    steps.back() = StepResult{HostState::failed, false};
    for (auto _ : state) {
        auto plan = plan_after_forward(Operation::create, steps, true);
        if (plan.outcome != SagaOutcome::rolled_back || plan.compensate.size() != hosts - 1) {
            state.SkipWithError("unexpected plan");
            break;
        }
        benchmark::DoNotOptimize(plan);
    }
}
BENCHMARK(BM_PlanAfterForwardLastFailed)->Arg(5)->Arg(100);

}  // namespace
