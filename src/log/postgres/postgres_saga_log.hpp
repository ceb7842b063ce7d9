// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <cluster_client/options.hpp>

#include "log/postgres/fence.hpp"
#include "saga/saga_log.hpp"

namespace cluster_client::log {

namespace postgres {
class Writer;
}

/// Where and how the PostgreSQL saga log keeps its records.
struct PostgresLogOptions {
    std::string url;                        ///< a libpq URI, postgresql://...; no default
    std::string schema = "cluster_client";  ///< the schema holding the log's tables
    std::chrono::milliseconds lease_ttl{10000};
    std::size_t max_batch = 1024;  ///< at most this many writes per transaction
    /// Default 3 ms: while more than one saga of this coordinator runs, a transaction waits up
    /// to this long, times the coordinators sharing the log (at most 4 times), until every
    /// saga it runs has a write queued. A PostgreSQL commit costs the server far more than an
    /// SQLite one costs the process, so the window is longer than the SQLite log's 1 ms; and
    /// coordinators share the server's commits, so the more there are, the longer each
    /// waits to fill its transactions (docs/PERFORMANCE.md).
    std::chrono::microseconds commit_window{3000};
    std::shared_ptr<spdlog::logger> logger = default_logger();  ///< null: nothing is logged
};

/// The saga log on PostgreSQL, shared by any number of coordinators on any number of
/// machines (docs/fleet.md): the fleet's adapter behind the saga layer's log port.
///
/// Each log is one coordinator: it holds a lease in the database, renewed every third of
/// its time to live, and every saga it begins or adopts belongs to that lease. Every write
/// is fenced by the lease (refused once it has expired, by the database's clock), and
/// may_send() stops node requests once the lease could end before they do. A coordinator
/// whose lease expired takes a new one: the sagas of the old one are left for any
/// coordinator to adopt.
///
/// All libpq calls run on the log's own thread, blocking there and never on the caller's:
/// writes queue up and each round trip carries every write queued (group commit).
///
/// Errors: the constructor throws SagaLogUnavailable when the server cannot be reached,
/// refuses the connection, or holds a schema of a newer version. A write
/// completes with an error of the "postgres saga log" category when its batch failed.
class PostgresSagaLog final : public saga::SagaLog {
public:
    explicit PostgresSagaLog(const PostgresLogOptions& options);
    ~PostgresSagaLog() override;
    PostgresSagaLog(const PostgresSagaLog&) = delete;
    PostgresSagaLog& operator=(const PostgresSagaLog&) = delete;

    bool may_send(saga::SagaId saga, std::chrono::steady_clock::time_point until) const override;
    bool shared() const override { return true; }

    /// Write transactions this log has committed: how well group commit batches.
    std::uint64_t commits() const;
    /// How long a transaction may wait now for more writes: the commit window times the
    /// coordinators that shared the log at the last renewal of the lease (at most 4).
    std::chrono::microseconds commit_window() const;

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

    std::string name_;  ///< "saga log <url, password hidden>", for errors; outlives the writer's last job
    postgres::Fence fence_;
    std::unique_ptr<postgres::Writer> writer_;
};

}  // namespace cluster_client::log
