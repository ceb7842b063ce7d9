// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <cluster_client/options.hpp>
#include <cluster_client/report.hpp>

#include "log/sqlite/statement.hpp"
#include "saga/saga_log.hpp"

namespace cluster_client::log::sqlite {

using saga::BeginResult;
using saga::Owner;
using saga::SagaRecord;

struct Statements;

/// The log's data in one SQLite file: every read and write of the saga log, as SQL. Not
/// thread-safe: only the log's writer thread touches it. Writes run inside a transaction
/// the caller opens (begin_transaction); a write that returns false changed nothing.
/// Failures throw SqliteError.
class Store {
public:
    /// Opens the file (open_log_file) and prepares every statement; throws ConfigError.
    Store(const std::filesystem::path& path, Durability durability);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Open sagas this process runs.
    std::size_t running() const { return running_.size(); }

    void begin_transaction();
    void commit_transaction();
    /// Undoes the transaction, and what it did to the sagas this process runs.
    void rollback_transaction();

    BeginResult begin(Operation operation, const std::string& group, const std::vector<std::string>& hosts,
                      const Owner& owner, std::int64_t now);
    bool record(saga::SagaId saga, std::size_t host, saga::Fact fact, std::int64_t now);
    bool set_phase(saga::SagaId saga, saga::Phase phase, std::int64_t now);
    bool end(saga::SagaId saga, SagaOutcome outcome, const std::vector<HostState>& states, std::int64_t now);
    bool adopt(saga::SagaId saga, const Owner& owner, std::int64_t now);

    std::optional<SagaRecord> find(saga::SagaId saga);
    std::vector<SagaRecord> open_sagas();
    std::vector<SagaRecord> recent_sagas(std::size_t limit);
    /// Deletes up to `limit` closed sagas last updated before `before` (ms since the epoch),
    /// oldest first, with their facts; returns how many. Inside the batch's transaction.
    std::size_t prune(std::int64_t before, std::size_t limit);

private:
    SagaRecord read_saga(const Rows& row) const;
    void read_facts(SagaRecord& saga);
    std::vector<SagaRecord> read_sagas(Rows rows);

    Database db_;
    std::unique_ptr<Statements> statements_;
    Owner self_;  ///< this process: its sagas are never held elsewhere
    // Sagas this log has begun or adopted and not ended: running here, not left behind.
    std::unordered_map<saga::SagaId, std::size_t> running_;  ///< open sagas this process runs, and their host counts
    /// What the open transaction changed in running_, oldest first, with each entry's value
    /// before (none: it was not there), so that a rollback undoes just that.
    std::vector<std::pair<saga::SagaId, std::optional<std::size_t>>> running_undo_;

    void set_running(saga::SagaId saga, std::optional<std::size_t> hosts);
};

}  // namespace cluster_client::log::sqlite
