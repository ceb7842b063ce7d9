// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/system/error_code.hpp>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "saga/fact.hpp"

namespace cluster_client::log {

using SagaId = std::int64_t;

using saga::Fact;

/// Where a saga is.
enum class Phase {
    forward,       ///< running its steps
    compensating,  ///< undoing its writes
};

/// Who runs a saga: a process on this machine, identified so that a reused pid is not
/// mistaken for the original holder.
struct Owner {
    std::int64_t pid = 0;
    std::string start_time;  ///< the process's start time (from /proc), "" if unknown

    /// This process.
    static Owner self();
    /// True when that process is still running (same pid and same start time; a zombie is
    /// not running). With an empty start time, only the pid is checked.
    bool alive() const;
    friend bool operator==(const Owner&, const Owner&) = default;
};

/// A saga as the log holds it.
struct SagaRecord {
    SagaId id = 0;
    Operation operation = Operation::create;
    std::string group;
    std::vector<std::string> hosts;             ///< canonical URLs, in order
    Phase phase = Phase::forward;
    bool open = true;                            ///< not ended, or ended leaving work for recovery
    std::optional<SagaOutcome> outcome;          ///< the last outcome recorded, if any
    std::vector<std::vector<Fact>> facts;        ///< per host, in recording order
    std::vector<HostState> host_states;          ///< per host, as the last `end` gave them (empty before)
    Owner owner;
    std::chrono::system_clock::time_point started_at;
    std::chrono::system_clock::time_point updated_at;
};

/// How `begin` went.
struct BeginResult {
    enum class Kind {
        started,        ///< the saga is durable and holds the group's lease: `saga` is its id
        busy,           ///< a live process holds the group's lease
        needs_recovery, ///< a dead process left saga `saga` open on this group: recover it first
    };
    Kind kind = Kind::started;
    SagaId saga = 0;
};

using cluster_client::Durability;

/// The durable saga log. Writes are asynchronous and grouped: concurrent sagas' writes share
/// one transaction (group commit), and each completion handler runs, on its associated
/// executor, only once its write is durable. Reads are blocking and meant for recovery and
/// listing, not the hot path.
///
/// Threads: every member may be called from any thread. Errors: the factory throws
/// ConfigError for a log that cannot be used (corrupt, from a newer version, not writable);
/// a write that fails later completes with an error code.
class SagaLog {
public:
    virtual ~SagaLog() = default;

    /// Makes a saga's intent durable (operation, group, hosts) and takes the group's lease
    /// for `owner`, atomically. A lease held by a live process gives `busy`; one held by a
    /// dead process whose saga is still open gives `needs_recovery` with that saga's id;
    /// the lease of an ended saga, or of our own process's recovered saga, is taken over.
    virtual void begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                       boost::asio::any_completion_handler<void(boost::system::error_code, BeginResult)> handler) = 0;

    /// Records a fact about host number `host` of saga `saga`.
    virtual void record(SagaId saga, std::size_t host, Fact fact,
                        boost::asio::any_completion_handler<void(boost::system::error_code)> handler) = 0;

    /// Records that saga `saga` starts compensating.
    virtual void set_phase(SagaId saga, Phase phase,
                           boost::asio::any_completion_handler<void(boost::system::error_code)> handler) = 0;

    /// Records saga `saga`'s outcome and host states. An outcome that leaves work for
    /// recovery (rollback_incomplete, incomplete: SagaReport::left_open) keeps the saga open
    /// and its lease held; any other closes the saga and frees the group's lease. Recovery
    /// calls it again once it has finished the saga.
    virtual void end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
                     boost::asio::any_completion_handler<void(boost::system::error_code)> handler) = 0;

    /// Takes over the lease of open saga `saga` for `owner` (recovery by another process).
    /// False when a live process other than `owner` holds it.
    virtual bool adopt(SagaId saga, Owner owner) = 0;

    /// Every open saga, oldest first.
    virtual std::vector<SagaRecord> open_sagas() = 0;
    /// The `limit` most recently updated sagas, open or ended, newest first.
    virtual std::vector<SagaRecord> recent_sagas(std::size_t limit) = 0;
    /// One saga; nullopt when there is none with that id.
    virtual std::optional<SagaRecord> find(SagaId saga) = 0;
};

std::string_view to_string(Fact fact);
std::string_view to_string(Phase phase);

}  // namespace cluster_client::log
