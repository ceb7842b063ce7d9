// SPDX-License-Identifier: MIT
#include <cluster_client/report.hpp>

#include <cluster_client/errors.hpp>

namespace cluster_client {

namespace {

bool host_done(Operation operation, HostState state) {
    using enum HostState;
    switch (operation) {
        case Operation::create:
        case Operation::ensure: return state == created || state == present_before;
        case Operation::delete_: return state == deleted || state == absent_before;
        case Operation::verify: return state == present;
    }
    return false;
}

}  // namespace

bool SagaReport::ok() const {
    using enum SagaOutcome;
    return outcome == created || outcome == deleted || outcome == already_exists || outcome == present;
}

std::vector<std::string> SagaReport::failed_hosts() const {
    std::vector<std::string> failed;
    for (const auto& host : hosts) {
        if (!host_done(operation, host.state)) failed.push_back(host.host);
    }
    return failed;
}

bool SagaReport::left_open() const {
    return outcome == SagaOutcome::rollback_incomplete || outcome == SagaOutcome::incomplete;
}

void SagaReport::throw_if_failed() const {
    if (ok()) return;
    std::string message = std::string(to_string(operation)) + " " + group + ": " + std::string(to_string(outcome));
    for (const auto& host : hosts) {
        if (host.last_error.empty()) continue;
        message += "; " + host.host + " " + std::string(to_string(host.state)) + " (" + host.last_error + ")";
    }
    throw GroupOperationError(message);
}

std::string_view to_string(Operation operation) {
    switch (operation) {
        case Operation::create: return "create";
        case Operation::delete_: return "delete";
        case Operation::ensure: return "ensure";
        case Operation::verify: return "verify";
    }
    return "unknown";
}

std::string_view to_string(SagaOutcome outcome) {
    using enum SagaOutcome;
    switch (outcome) {
        case created: return "created";
        case deleted: return "deleted";
        case already_exists: return "already_exists";
        case not_found: return "not_found";
        case present: return "present";
        case absent: return "absent";
        case conflict: return "conflict";
        case rolled_back: return "rolled_back";
        case rollback_incomplete: return "rollback_incomplete";
        case incomplete: return "incomplete";
        case busy: return "busy";
        case unknown: return "unknown";
    }
    return "unknown";
}

std::string_view to_string(HostState state) {
    using enum HostState;
    switch (state) {
        case unknown: return "unknown";
        case present_before: return "present_before";
        case absent_before: return "absent_before";
        case created: return "created";
        case deleted: return "deleted";
        case present: return "present";
        case absent: return "absent";
        case failed: return "failed";
        case rolled_back: return "rolled_back";
        case restored: return "restored";
        case rollback_failed: return "rollback_failed";
    }
    return "unknown";
}

}  // namespace cluster_client
