// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <cluster_client/report.hpp>

namespace cluster_client {

/// A saga as the saga log holds it (docs/saga-log.md), for people and tools that watch it.
struct LoggedSaga {
    std::int64_t id = 0;
    Operation operation = Operation::create;
    std::string group;
    std::vector<std::string> hosts;               ///< canonical URLs, in order
    std::string phase;                            ///< "forward" or "compensating"
    bool open = true;                             ///< not ended, or ended leaving work for recovery
    std::optional<SagaOutcome> outcome;           ///< the last outcome recorded; none while running
    std::vector<std::vector<std::string>> facts;  ///< per host, the facts recorded, in order
    std::vector<HostState> host_states;           ///< per host, as the last outcome gave them (empty before)
    std::int64_t owner_pid = 0;                   ///< the process that runs, or last ran, the saga
    std::chrono::system_clock::time_point started_at;
    std::chrono::system_clock::time_point updated_at;
};

/// What `ClusterClient::list_sagas` found.
struct SagaListing {
    std::vector<LoggedSaga> open;    ///< every open saga, oldest first
    std::vector<LoggedSaga> recent;  ///< the most recently updated sagas, open or not, newest first
};

}  // namespace cluster_client
