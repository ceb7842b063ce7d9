// SPDX-License-Identifier: MIT
#pragma once

// Drives a sans-io step machine the way the saga coroutine does, but against a script of
// node answers and a fake clock, and writes down every action it was asked to perform.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "node_api/node_client.hpp"
#include "retry/retry_policy.hpp"
#include "saga/log_records.hpp"
#include "saga/step.hpp"

namespace step_test {

using namespace std::chrono_literals;
using cluster_client::HostState;
using cluster_client::RetryOptions;
using cluster_client::node_api::Call;
using cluster_client::node_api::NodeReply;
using cluster_client::node_api::Reply;
using cluster_client::saga::Action;
using cluster_client::saga::Clock;
using cluster_client::saga::Fact;
using cluster_client::saga::Finish;
using cluster_client::saga::Record;
using cluster_client::saga::Recorded;
using cluster_client::saga::Replied;
using cluster_client::saga::Send;
using cluster_client::saga::Start;
using cluster_client::saga::Wait;
using cluster_client::saga::Waited;
using std::chrono::milliseconds;

/// The fake clock's origin; every time in these tests is an offset from it.
inline const Clock::time_point t0{};

/// Deterministic retries: no jitter, 4 attempts, backoff 100, 200, 400, 800ms, 10s deadline.
inline RetryOptions test_options() {
    return {.max_attempts = 4,
            .initial_backoff = 100ms,
            .multiplier = 2.0,
            .max_backoff = 1000ms,
            .jitter = false,
            .attempt_timeout = 1000ms,
            .deadline = 10000ms};
}

/// One scripted answer of the node and how long the request took on the fake clock.
struct Answer {
    NodeReply reply;
    milliseconds took{10};
};

inline Answer answer(Reply reply, std::string detail) {
    return {NodeReply{reply, std::move(detail), std::nullopt}};
}

// What the node layer would hand back for the HTTP answers of docs/node-api.md.
inline Answer created() {
    return answer(Reply::created, "HTTP 201");
}
inline Answer rejected() {
    return answer(Reply::exists_or_invalid, "HTTP 400");
}
inline Answer deleted() {
    return answer(Reply::deleted, "HTTP 200");
}
inline Answer present() {
    return answer(Reply::present, "HTTP 200");
}
inline Answer absent() {
    return answer(Reply::absent, "HTTP 404");
}
inline Answer server_error() {
    return answer(Reply::maybe_applied, "HTTP 500");
}
inline Answer timed_out() {
    return answer(Reply::maybe_applied, "read: timed out");
}
inline Answer reset_after_send() {
    return answer(Reply::maybe_applied, "read: Connection reset by peer");
}
inline Answer not_sent() {
    return answer(Reply::not_sent, "connect: Connection refused");
}
inline Answer refused() {
    return answer(Reply::refused, "HTTP 403");
}
inline Answer throttled(milliseconds retry_after) {
    return {NodeReply{Reply::throttled, "HTTP 429", retry_after}};
}
inline Answer unavailable(milliseconds retry_after) {
    return {NodeReply{Reply::maybe_applied, "HTTP 503", retry_after}};
}
inline Answer slow(Answer a, milliseconds took) {
    a.took = took;
    return a;
}

inline Replied replied(const Answer& a, Clock::time_point now, double uniform = 0.0) {
    return Replied{a.reply, now, uniform};
}

inline const char* verb(Call call) {
    switch (call) {
        case Call::create: return "POST";
        case Call::get: return "GET";
        case Call::delete_: return "DELETE";
    }
    return "?";
}

/// "POST", "wait(100ms)", "record(absent_before)", "finish(created)".
inline std::string describe(const Action& action) {
    if (const auto* send = std::get_if<Send>(&action)) return step_test::verb(send->call);
    if (const auto* wait = std::get_if<Wait>(&action)) return "wait(" + std::to_string(wait->delay.count()) + "ms)";
    if (const auto* record = std::get_if<Record>(&action)) {
        return "record(" + std::string(cluster_client::saga::to_string(record->fact)) + ")";
    }
    return "finish(" + std::string(cluster_client::to_string(std::get<Finish>(action).state)) + ")";
}

// Assertions on a single action, readable in a failure message.
inline testing::AssertionResult IsSend(const Action& action, Call call) {
    if (const auto* send = std::get_if<Send>(&action); send && send->call == call) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "expected " << step_test::verb(call) << ", got "
                                       << step_test::describe(action);
}
inline testing::AssertionResult IsWait(const Action& action, milliseconds delay) {
    if (const auto* wait = std::get_if<Wait>(&action); wait && wait->delay == delay) {
        return testing::AssertionSuccess();
    }
    return testing::AssertionFailure() << "expected wait(" << delay.count() << "ms), got "
                                       << step_test::describe(action);
}
inline testing::AssertionResult IsRecord(const Action& action, Fact fact) {
    if (const auto* record = std::get_if<Record>(&action); record && record->fact == fact) {
        return testing::AssertionSuccess();
    }
    return testing::AssertionFailure() << "expected record(" << cluster_client::saga::to_string(fact) << "), got "
                                       << step_test::describe(action);
}
inline testing::AssertionResult IsFinish(const Action& action, HostState state) {
    if (const auto* finish = std::get_if<Finish>(&action); finish && finish->state == state) {
        return testing::AssertionSuccess();
    }
    return testing::AssertionFailure() << "expected finish(" << cluster_client::to_string(state) << "), got "
                                       << step_test::describe(action);
}

/// What a scripted run did.
struct Run {
    std::string trace;  ///< every action, space separated: "GET record(absent_before) POST ..."
    HostState state = HostState::unknown;
    bool finished = false;
    int requests = 0;       ///< Send actions performed
    int answers_left = 0;   ///< scripted answers never asked for
    Clock::time_point end;  ///< the fake clock when the step finished
    std::string last_error;
};

/// Runs `step` from `start`: each Send takes the next scripted answer (and advances the
/// clock by its `took`), each Wait advances the clock by its delay, each Record is made
/// durable at once. Stops at Finish, or with a test failure when the script runs out or
/// the machine never ends.
template <class Step>
Run drive(Step& step, const std::vector<Answer>& script, Clock::time_point start = t0, double uniform = 0.0) {
    Run run;
    auto now = start;
    std::size_t next = 0;
    cluster_client::saga::Event event = Start{now};
    for (int guard = 0; guard < 1000; ++guard) {
        const Action action = step.resume(event);
        if (!run.trace.empty()) run.trace += ' ';
        run.trace += step_test::describe(action);
        if (const auto* finish = std::get_if<Finish>(&action)) {
            run.state = finish->state;
            run.finished = true;
            break;
        }
        if (std::holds_alternative<Send>(action)) {
            ++run.requests;
            if (next == script.size()) {
                ADD_FAILURE() << "the script ran out; trace so far: " << run.trace;
                break;
            }
            const auto& a = script[next++];
            now += a.took;
            event = replied(a, now, uniform);
        } else if (const auto* wait = std::get_if<Wait>(&action)) {
            now += wait->delay;
            event = Waited{};
        } else {
            event = Recorded{};
        }
    }
    if (!run.finished) ADD_FAILURE() << "the step did not finish; trace: " << run.trace;
    run.answers_left = static_cast<int>(script.size() - next);
    run.end = now;
    run.last_error = step.last_error();
    return run;
}

}  // namespace step_test
