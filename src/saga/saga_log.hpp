// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <cluster_client/report.hpp>

#include "saga/log_records.hpp"

namespace cluster_client::saga {

/// The saga log port: what the saga layer needs of a durable log, whatever keeps it (an
/// SQLite file, a database server). Every operation is asynchronous and takes any Asio
/// completion token; its handler runs on the handler's associated executor, never inside
/// the call, so nothing that drives sagas ever waits on a disk or a network.
///
/// Writes are grouped: concurrent sagas' writes may share one transaction (group commit),
/// and a write completes only once it is durable. A write completes with an error code when
/// it could not be made durable, or with errc::invalid_argument when it names no open saga
/// or a host the saga does not have. Reads and `adopt` complete with an exception_ptr (an
/// Error naming the log) when the log fails.
///
/// Threads: every member may be called from any thread. Adapters throw ConfigError from
/// their factory for a log that cannot be used (corrupt, from a newer version, not writable).
class SagaLog {
public:
    template <class Signature>
    using Handler = boost::asio::any_completion_handler<Signature>;
    using WriteSignature = void(boost::system::error_code);
    using Records = std::vector<SagaRecord>;

    virtual ~SagaLog() = default;

    /// Makes a saga's intent durable (operation, group, hosts) and takes the group's lease
    /// for `owner`, atomically. A lease held by a live process gives `busy`; one held by a
    /// dead process whose saga is still open gives `needs_recovery` with that saga's id;
    /// the lease of an ended saga, or of our own process's recovered saga, is taken over.
    template <class Token>
    auto async_begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                     Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, BeginResult)>(
            [this](auto handler, Operation op, std::string id, std::vector<std::string> urls, Owner by) {
                begin(op, std::move(id), std::move(urls), std::move(by), std::move(handler));
            },
            token, operation, std::move(group), std::move(hosts), std::move(owner));
    }

    /// Records a fact about host number `host` of saga `saga`.
    template <class Token>
    auto async_record(SagaId saga, std::size_t host, Fact fact, Token&& token) {
        return boost::asio::async_initiate<Token, WriteSignature>(
            [this, saga, host, fact](auto handler) { record(saga, host, fact, std::move(handler)); }, token);
    }

    /// Records that saga `saga` starts compensating.
    template <class Token>
    auto async_set_phase(SagaId saga, Phase phase, Token&& token) {
        return boost::asio::async_initiate<Token, WriteSignature>(
            [this, saga, phase](auto handler) { set_phase(saga, phase, std::move(handler)); }, token);
    }

    /// Records saga `saga`'s outcome and host states. An outcome that leaves work for
    /// recovery (rollback_incomplete, incomplete: SagaReport::left_open) keeps the saga open
    /// and its lease held; any other closes the saga and frees the group's lease. Recovery
    /// calls it again once it has finished the saga.
    template <class Token>
    auto async_end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states, Token&& token) {
        return boost::asio::async_initiate<Token, WriteSignature>(
            [this, saga, outcome](auto handler, std::vector<HostState> states) {
                end(saga, outcome, std::move(states), std::move(handler));
            },
            token, std::move(host_states));
    }

    /// Takes over the lease of open saga `saga` for `owner` (recovery by another process):
    /// false when a live process other than `owner` holds it, or the saga is not open.
    template <class Token>
    auto async_adopt(SagaId saga, Owner owner, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, bool)>(
            [this, saga](auto handler, Owner by) { adopt(saga, std::move(by), std::move(handler)); }, token,
            std::move(owner));
    }

    /// Every open saga, oldest first.
    template <class Token>
    auto async_open_sagas(Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Records)>(
            [this](auto handler) { open_sagas(std::move(handler)); }, token);
    }

    /// The `limit` most recently updated sagas, open or ended, newest first.
    template <class Token>
    auto async_recent_sagas(std::size_t limit, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, Records)>(
            [this, limit](auto handler) { recent_sagas(limit, std::move(handler)); }, token);
    }

    /// One saga; nullopt when there is none with that id.
    template <class Token>
    auto async_find(SagaId saga, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, std::optional<SagaRecord>)>(
            [this, saga](auto handler) { find(saga, std::move(handler)); }, token);
    }

    /// Deletes, in one transaction, up to `limit` sagas that ended before `before` (by their
    /// last update), oldest first, with their facts; never an open saga. Completes with how
    /// many it deleted: fewer than `limit` when no more are that old.
    template <class Token>
    auto async_prune(std::chrono::system_clock::time_point before, std::size_t limit, Token&& token) {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, std::size_t)>(
            [this, before, limit](auto handler) { prune(before, limit, std::move(handler)); }, token);
    }

    /// Whether saga `saga` may still send a node request that ends by `until` (on this
    /// machine's monotonic clock): false once this coordinator could lose the saga before
    /// then, as its lease on a shared log runs out. Never waits. A log of one machine has no
    /// lease: always true.
    virtual bool may_send(SagaId /*saga*/, std::chrono::steady_clock::time_point /*until*/) const { return true; }

    /// True for a log that coordinators on several machines share: the sagas of one whose
    /// lease expired are taken over by the others, in the background of their clients.
    virtual bool shared() const { return false; }

protected:
    // What an adapter implements: each starts the operation and returns at once.
    virtual void begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                       Handler<void(boost::system::error_code, BeginResult)> handler) = 0;
    virtual void record(SagaId saga, std::size_t host, Fact fact, Handler<WriteSignature> handler) = 0;
    virtual void set_phase(SagaId saga, Phase phase, Handler<WriteSignature> handler) = 0;
    virtual void end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
                     Handler<WriteSignature> handler) = 0;
    virtual void adopt(SagaId saga, Owner owner, Handler<void(std::exception_ptr, bool)> handler) = 0;
    virtual void open_sagas(Handler<void(std::exception_ptr, Records)> handler) = 0;
    virtual void recent_sagas(std::size_t limit, Handler<void(std::exception_ptr, Records)> handler) = 0;
    virtual void find(SagaId saga, Handler<void(std::exception_ptr, std::optional<SagaRecord>)> handler) = 0;
    virtual void prune(std::chrono::system_clock::time_point before, std::size_t limit,
                       Handler<void(std::exception_ptr, std::size_t)> handler) = 0;
};

}  // namespace cluster_client::saga
