// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include <cluster_client/report.hpp>

#include "log/postgres/connection.hpp"
#include "log/postgres/fence.hpp"
#include "saga/saga_log.hpp"

namespace cluster_client::log::postgres {

using saga::BeginResult;
using saga::Owner;
using saga::SagaId;
using saga::SagaRecord;

/// The log's data in a PostgreSQL schema, as one coordinator sees it: its connection, its
/// lease, the sagas it runs. Not thread-safe: only the log's thread touches it.
///
/// Writes are staged in memory (checked against the sagas this coordinator runs) and sent
/// together by commit(): one statement, one transaction, one round trip for the whole
/// batch. A staged write that returns false changed nothing. Failures throw PgError; a
/// failed commit has changed nothing, here or in the database.
class Store {
public:
    struct Options {
        std::string url;
        std::string schema;
        std::chrono::milliseconds lease_ttl;
        std::shared_ptr<spdlog::logger> logger;  ///< never null
    };

    /// Connects, creates or checks the schema and takes a lease; throws PgError or
    /// SagaLogUnavailable (a schema from a newer version).
    Store(const Options& options, Fence& fence);
    /// Gives the lease up, so that the sagas it leaves open can be taken over at once.
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Reconnects when the connection was lost, and takes a new lease when it has none.
    void ensure_ready();
    /// Extends the lease by its time to live; when it has expired, every saga it held is
    /// lost and a new lease is taken. Throws PgError when the server cannot be reached.
    void renew_lease();
    /// The lease expired under a write: the sagas it held are lost.
    void lose_lease();

    // Staging, then one commit. `slot` numbers a staged begin for begun().
    void begin_transaction();
    std::size_t stage_begin(Operation operation, const std::string& group, const std::vector<std::string>& hosts,
                            const Owner& owner);
    bool record(SagaId saga, std::size_t host, saga::Fact fact);
    bool set_phase(SagaId saga, saga::Phase phase);
    bool end(SagaId saga, SagaOutcome outcome, const std::vector<HostState>& states);
    void commit();
    /// Forgets what was staged and what it did to the sagas this coordinator runs.
    void rollback();
    /// After commit(): how the staged begin `slot` went.
    BeginResult begun(std::size_t slot) const { return begun_.at(slot); }

    /// Its own transaction: takes saga `saga` over for this coordinator's lease.
    bool adopt(SagaId saga, const Owner& owner);
    std::optional<SagaRecord> find(SagaId saga);
    std::vector<SagaRecord> open_sagas();
    std::vector<SagaRecord> recent_sagas(std::size_t limit);
    /// Its own transaction: deletes up to `limit` closed sagas last updated before `before`
    /// (ms since the epoch), oldest first, with their facts; returns how many.
    std::size_t prune(std::int64_t before, std::size_t limit);

    /// Open sagas this coordinator runs.
    std::size_t running() const { return running_.size(); }
    /// Coordinators holding a live lease on this log, itself included, as of the last time
    /// it took or renewed its lease.
    std::size_t coordinators() const { return coordinators_; }
    const std::string& shown_url() const { return connection_.shown_url(); }
    spdlog::logger& logger() const { return *options_.logger; }

private:
    struct StagedBegin {
        std::string operation;
        std::string group;
        std::string hosts;
        std::size_t host_count;
        bool repeated;  ///< its group is begun earlier in the batch: busy, and not sent
    };
    struct StagedEnd {
        SagaId saga;
        std::string outcome;
        std::string states;
        bool stays_open;
    };

    void prepare_statements();
    void take_lease();
    std::vector<SagaRecord> read_sagas(const Result& rows);
    void set_running(SagaId saga, std::optional<std::size_t> hosts);

    Options options_;
    Fence& fence_;
    Connection connection_;
    std::string holder_;  ///< this coordinator as the leases table names it: host name and pid
    Owner owner_;         ///< the owner of the sagas this coordinator begins
    std::int64_t lease_ = 0;
    std::size_t coordinators_ = 1;
    std::unordered_map<SagaId, std::size_t> running_;  ///< open sagas this coordinator runs, and their host counts
    std::vector<std::pair<SagaId, std::optional<std::size_t>>> running_undo_;

    std::vector<StagedBegin> begins_;
    std::vector<std::string> fact_sagas_, fact_hosts_, fact_names_;
    std::vector<std::string> phase_sagas_, phase_names_;
    std::vector<StagedEnd> ends_;
    std::vector<BeginResult> begun_;
};

}  // namespace cluster_client::log::postgres
