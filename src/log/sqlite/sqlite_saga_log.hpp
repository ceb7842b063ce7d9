// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include <cluster_client/options.hpp>

#include "saga/saga_log.hpp"

namespace cluster_client::log {

namespace sqlite {
class Writer;
}

/// Where and how the SQLite saga log keeps its records.
struct SqliteLogOptions {
    std::filesystem::path path;                   ///< the log file (saga_log_path of the state dir); no default
    Durability durability = Durability::process;  ///< default: survives kill -9, not power loss
    std::size_t max_batch = 1024;                 ///< default 1024: at most this many writes per transaction
    /// Default 1ms: while more than one saga of this process is open, a commit waits up to
    /// this long for writes of half of them to join it. At 128 sagas in flight it saves
    /// about a sixth of the CPU per saga (docs/PERFORMANCE.md) for at most a millisecond on
    /// each durable step; a lone saga never waits. 0 commits at once.
    std::chrono::microseconds commit_window{1000};
    std::shared_ptr<spdlog::logger> logger = default_logger();  ///< null: nothing is logged
};

/// The saga log in one SQLite file, in WAL mode (docs/saga-log.md): the embedded adapter
/// behind the saga layer's log port.
///
/// Every SQLite call runs on the log's own thread (sqlite::Writer): operations queue up,
/// and that thread commits every write queued (up to `max_batch`) in one transaction, then
/// posts each result to the handler's associated executor. Several processes, and several
/// logs in one process, may share a file: each write transaction takes the file's write
/// lock first (BEGIN IMMEDIATE) and waits for it, bounded.
///
/// Errors: the constructor throws ConfigError when the file cannot be used (corrupt or not
/// a saga log, written by a newer version, not writable); a corrupt file is never changed.
/// A write completes with an error when its batch could not be committed (every write of
/// that batch gets it). Reads and `adopt` complete with an Error naming the file.
///
/// Within a log, `begin` answers `busy`, not `needs_recovery`, for a saga this log has begun
/// (or adopted) and not ended yet: that saga is running, not left behind.
class SqliteSagaLog final : public saga::SagaLog {
public:
    explicit SqliteSagaLog(const SqliteLogOptions& options);
    /// Commits every write still queued, completes their handlers, then stops the thread.
    ~SqliteSagaLog() override;
    SqliteSagaLog(const SqliteSagaLog&) = delete;
    SqliteSagaLog& operator=(const SqliteSagaLog&) = delete;

    /// Write transactions this log has committed: how well group commit batches.
    std::uint64_t commits() const;
    const std::filesystem::path& path() const;

private:
    void begin(Operation operation, std::string group, std::vector<std::string> hosts, saga::Owner owner,
               Handler<void(boost::system::error_code, saga::BeginResult)> handler) override;
    void record(saga::SagaId saga, std::size_t host, saga::Fact fact, Handler<WriteSignature> handler) override;
    void set_phase(saga::SagaId saga, saga::Phase phase, Handler<WriteSignature> handler) override;
    void end(saga::SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
             Handler<WriteSignature> handler) override;
    void adopt(saga::SagaId saga, saga::Owner owner, Handler<void(std::exception_ptr, bool)> handler) override;
    void open_sagas(Handler<void(std::exception_ptr, Records)> handler) override;
    void recent_sagas(std::size_t limit, Handler<void(std::exception_ptr, Records)> handler) override;
    void find(saga::SagaId saga, Handler<void(std::exception_ptr, std::optional<saga::SagaRecord>)> handler) override;
    void prune(std::chrono::system_clock::time_point before, std::size_t limit,
               Handler<void(std::exception_ptr, std::size_t)> handler) override;

    std::string name_;  ///< "saga log <path>", for errors; outlives the writer's last job
    std::unique_ptr<sqlite::Writer> writer_;
};

/// Opens (creating it if missing) the SQLite saga log at `options.path`. Throws ConfigError
/// as the SqliteSagaLog constructor does.
std::unique_ptr<saga::SagaLog> open_sqlite_saga_log(const SqliteLogOptions& options);

}  // namespace cluster_client::log
