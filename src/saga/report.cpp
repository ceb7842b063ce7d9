// SPDX-License-Identifier: MIT
#include <cluster_client/report.hpp>

#include <cluster_client/errors.hpp>

namespace cluster_client {

namespace {

bool host_done(Operation operation, HostState state) {
    using enum HostState;
    switch (operation) {
        case Operation::create:
        case Operation::ensure: return state == created || state == already_present;
        case Operation::delete_: return state == deleted || state == already_absent;
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
    return enum_name(operation);
}

std::string_view to_string(SagaOutcome outcome) {
    return enum_name(outcome);
}

std::string_view to_string(HostState state) {
    return enum_name(state);
}

}  // namespace cluster_client
