// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "log/saga_log.hpp"

namespace cluster_client::log {

/// Where and how the SQLite saga log keeps its records.
struct SqliteLogOptions {
    std::filesystem::path path;                    ///< the log file (saga_log_path of the state dir); no default
    Durability durability = Durability::process;   ///< default: survives kill -9, not power loss
    std::size_t max_batch = 1024;                  ///< default 1024: at most this many writes per transaction
    /// Default 1ms: while more than one saga of this process is open, a commit waits up to
    /// this long for writes of half of them to join it. At 128 sagas in flight it saves
    /// about a sixth of the CPU per saga (docs/PERFORMANCE.md) for at most a millisecond on
    /// each durable step; a lone saga never waits. 0 commits at once.
    std::chrono::microseconds commit_window{1000};
};

/// The saga log in one SQLite file, in WAL mode (docs/saga-log.md).
///
/// Every SQLite call runs on the log's own thread: writes queue up, and that thread commits
/// everything queued (up to `max_batch`) in one transaction, then posts each completion
/// handler to the handler's associated executor. The thread never runs a handler itself.
/// Several processes, and several logs in one process, may share a file: each write
/// transaction takes the file's write lock first (BEGIN IMMEDIATE) and waits for it, bounded.
///
/// Errors: the constructor throws ConfigError when the file cannot be used (corrupt or not
/// a saga log, written by a newer version, not writable); a corrupt file is never changed.
/// A write completes with an error when its batch could not be committed (every write of
/// that batch gets it), or with errc::invalid_argument, alone, when it names no open saga
/// or a host the saga does not have. Blocking reads and `adopt` throw Error when SQLite fails.
///
/// Within a log, `begin` answers `busy`, not `needs_recovery`, for a saga this log has begun
/// (or adopted) and not ended yet: that saga is running, not left behind.
class SqliteSagaLog final : public SagaLog {
public:
    explicit SqliteSagaLog(const SqliteLogOptions& options);
    /// Commits every write still queued, completes their handlers, then stops the thread.
    ~SqliteSagaLog() override;
    SqliteSagaLog(const SqliteSagaLog&) = delete;
    SqliteSagaLog& operator=(const SqliteSagaLog&) = delete;

    void begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
               boost::asio::any_completion_handler<void(boost::system::error_code, BeginResult)> handler) override;
    void record(SagaId saga, std::size_t host, Fact fact,
                boost::asio::any_completion_handler<void(boost::system::error_code)> handler) override;
    void set_phase(SagaId saga, Phase phase,
                   boost::asio::any_completion_handler<void(boost::system::error_code)> handler) override;
    void end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
             boost::asio::any_completion_handler<void(boost::system::error_code)> handler) override;
    bool adopt(SagaId saga, Owner owner) override;
    std::vector<SagaRecord> open_sagas() override;
    std::vector<SagaRecord> recent_sagas(std::size_t limit) override;
    std::optional<SagaRecord> find(SagaId saga) override;

    /// Write transactions this log has committed: how well group commit batches.
    std::uint64_t commits() const;
    const std::filesystem::path& path() const;

    /// The schema version this program writes (PRAGMA user_version).
    static constexpr int schema_version = 2;

private:
    class Writer;
    std::unique_ptr<Writer> writer_;
};

/// Opens (creating it if missing) the SQLite saga log at `options.path`. Throws ConfigError
/// as the SqliteSagaLog constructor does.
std::unique_ptr<SagaLog> open_sqlite_saga_log(const SqliteLogOptions& options);

}  // namespace cluster_client::log
