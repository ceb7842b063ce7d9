// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/enum_names.hpp>
#include <cluster_client/report.hpp>

#include "saga/fact.hpp"

namespace cluster_client::saga {

// What the saga log holds, as the saga layer reads and writes it (saga_log.hpp is the port).

using SagaId = std::int64_t;

/// Where a saga is.
enum class Phase {
    forward,       ///< running its steps
    compensating,  ///< undoing its writes
};

/// The names the saga log stores phases by: renaming one makes existing logs unreadable.
constexpr auto enum_names(Phase) {
    return std::to_array<EnumName<Phase>>({{Phase::forward, "forward"}, {Phase::compensating, "compensating"}});
}

/// Who runs a saga: a process on this machine, identified so that a reused pid is not
/// mistaken for the original holder.
struct Owner {
    std::int64_t pid = 0;
    std::string start_time;  ///< the process's start time (from /proc), "" if unknown

    friend bool operator==(const Owner&, const Owner&) = default;
};

/// A saga as the log holds it.
struct SagaRecord {
    SagaId id = 0;
    Operation operation = Operation::create;
    std::string group;
    std::vector<std::string> hosts;  ///< canonical URLs, in order
    Phase phase = Phase::forward;
    bool open = true;                      ///< not ended, or ended leaving work for recovery
    std::optional<SagaOutcome> outcome;    ///< the last outcome recorded, if any
    std::vector<std::vector<Fact>> facts;  ///< per host, in recording order
    std::vector<HostState> host_states;    ///< per host, as the last `end` gave them (empty before)
    Owner owner;
    /// Another live coordinator runs it: on one machine, a running process other than this
    /// one; on a shared log, a coordinator whose lease has not expired. Recovery leaves it
    /// alone. The adapter judges it when it reads the saga.
    bool held_elsewhere = false;
    std::chrono::system_clock::time_point started_at;
    std::chrono::system_clock::time_point updated_at;
};

/// How `begin` went.
struct BeginResult {
    enum class Kind {
        started,         ///< the saga is durable and holds the group's lease: `saga` is its id
        busy,            ///< a live process holds the group's lease
        needs_recovery,  ///< a dead process left saga `saga` open on this group: recover it first
    };
    Kind kind = Kind::started;
    SagaId saga = 0;
};

inline std::string_view to_string(Fact fact) {
    return enum_name(fact);
}
inline std::string_view to_string(Phase phase) {
    return enum_name(phase);
}

}  // namespace cluster_client::saga
