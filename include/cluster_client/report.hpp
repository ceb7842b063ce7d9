// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/enum_names.hpp>

namespace cluster_client {

/// What a saga was asked to do.
enum class Operation { create, delete_, ensure, verify };

constexpr auto enum_names(Operation) {
    using enum Operation;
    return std::to_array<EnumName<Operation>>(
        {{create, "create"}, {delete_, "delete"}, {ensure, "ensure"}, {verify, "verify"}});
}

/// How a saga ended (docs/design.md, "The sagas").
enum class SagaOutcome {
    created,              ///< create/ensure: the group is now on every node
    deleted,              ///< delete: the group is now on no node
    already_exists,       ///< create/ensure: every node had the group before; nothing written
    not_found,            ///< delete: no node had the group; nothing written
    present,              ///< verify: every node has the group
    absent,               ///< verify: some node lacks the group (see the hosts)
    conflict,             ///< create: some nodes had the group before; our writes were undone
    rolled_back,          ///< a step failed; every write of ours was undone and verified
    rollback_incomplete,  ///< a step failed and some compensation could not finish
    incomplete,           ///< ensure, or delete without rollback: some nodes not converged yet
    busy,                 ///< another saga on the same group held it past the wait limit
    unknown,              ///< verify: some node could not be read
};

constexpr auto enum_names(SagaOutcome) {
    using enum SagaOutcome;
    return std::to_array<EnumName<SagaOutcome>>({
        {created, "created"},
        {deleted, "deleted"},
        {already_exists, "already_exists"},
        {not_found, "not_found"},
        {present, "present"},
        {absent, "absent"},
        {conflict, "conflict"},
        {rolled_back, "rolled_back"},
        {rollback_incomplete, "rollback_incomplete"},
        {incomplete, "incomplete"},
        {busy, "busy"},
        {unknown, "unknown"},
    });
}

/// Where one node ended, from this saga's point of view.
enum class HostState {
    unknown,          ///< no answer settled it (a write of ours may or may not have applied)
    already_present,  ///< the group was there already; not ours, never deleted by us
    already_absent,   ///< the group was not there; nothing to delete
    created,          ///< this saga created it (verified)
    deleted,          ///< this saga deleted it (verified)
    present,          ///< verify: the group is there
    absent,           ///< verify: the group is not there
    failed,           ///< the step failed without writing anything
    rolled_back,      ///< our creation was undone (absence verified)
    restored,         ///< our deletion was undone (presence verified)
    rollback_failed,  ///< our write could not be undone: recover later
};

constexpr auto enum_names(HostState) {
    using enum HostState;
    return std::to_array<EnumName<HostState>>({
        {unknown, "unknown"},
        {already_present, "already_present"},
        {already_absent, "already_absent"},
        {created, "created"},
        {deleted, "deleted"},
        {present, "present"},
        {absent, "absent"},
        {failed, "failed"},
        {rolled_back, "rolled_back"},
        {restored, "restored"},
        {rollback_failed, "rollback_failed"},
    });
}

/// One node in a report.
struct HostReport {
    std::string host;  ///< the node's canonical URL
    HostState state = HostState::unknown;
    int attempts = 0;        ///< requests sent to this node by this saga
    std::string last_error;  ///< the last failure seen ("" when none), naming step and cause
};

/// Everything a saga did. `ok()` is what the seed's boolean returns.
struct SagaReport {
    std::string group;
    Operation operation = Operation::create;
    SagaOutcome outcome = SagaOutcome::unknown;
    std::vector<HostReport> hosts;
    std::chrono::milliseconds duration{0};

    /// True when the cluster ended in the state asked for: created, deleted,
    /// already_exists (create, ensure) or present (verify).
    bool ok() const;
    /// The hosts whose state is not the one asked for (the seed's delete_group return).
    std::vector<std::string> failed_hosts() const;
    /// True when something is left for recovery (rollback_incomplete, incomplete).
    bool left_open() const;
    /// Throws GroupOperationError, naming the group, the outcome and the hosts that failed,
    /// unless ok(): for callers who prefer the seed's exceptions to reading reports.
    void throw_if_failed() const;
};

/// The names of enum_names, as reports and the command line print them.
std::string_view to_string(Operation operation);
std::string_view to_string(SagaOutcome outcome);
std::string_view to_string(HostState state);

}  // namespace cluster_client
