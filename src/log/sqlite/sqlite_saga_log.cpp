// SPDX-License-Identifier: MIT
#include "log/sqlite/sqlite_saga_log.hpp"

#include <utility>

#include "log/codec.hpp"
#include "log/job.hpp"
#include "log/sqlite/writer.hpp"

namespace cluster_client::log {

using boost::system::error_code;
using saga::Fact;
using saga::Owner;
using saga::Phase;
using saga::SagaId;
using saga::SagaRecord;
using sqlite::Store;

SqliteSagaLog::SqliteSagaLog(const SqliteLogOptions& options)
    : name_("saga log " + options.path.string()),
      writer_(std::make_unique<sqlite::Writer>(sqlite::WriterOptions{.path = options.path,
                                                                     .durability = options.durability,
                                                                     .max_batch = options.max_batch,
                                                                     .commit_window = options.commit_window,
                                                                     .logger = options.logger})) {}

SqliteSagaLog::~SqliteSagaLog() = default;

void SqliteSagaLog::begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                          Handler<void(error_code, saga::BeginResult)> handler) {
    writer_->submit(result_job<Store, void(error_code, saga::BeginResult)>(
        true,
        [operation, group = std::move(group), hosts = std::move(hosts), owner = std::move(owner)](
            Store& store, std::int64_t now) { return store.begin(operation, group, hosts, owner, now); },
        name_, std::move(handler)));
}

void SqliteSagaLog::record(SagaId saga, std::size_t host, Fact fact, Handler<WriteSignature> handler) {
    writer_->submit(write_job<Store>(
        [saga, host, fact](Store& store, std::int64_t now) { return store.record(saga, host, fact, now); },
        std::move(handler)));
}

void SqliteSagaLog::set_phase(SagaId saga, Phase phase, Handler<WriteSignature> handler) {
    writer_->submit(
        write_job<Store>([saga, phase](Store& store, std::int64_t now) { return store.set_phase(saga, phase, now); },
                         std::move(handler)));
}

void SqliteSagaLog::end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
                        Handler<WriteSignature> handler) {
    writer_->submit(
        write_job<Store>([saga, outcome, states = std::move(host_states)](
                             Store& store, std::int64_t now) { return store.end(saga, outcome, states, now); },
                         std::move(handler)));
}

void SqliteSagaLog::adopt(SagaId saga, Owner owner, Handler<void(std::exception_ptr, bool)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, bool)>(
        true,
        [saga, owner = std::move(owner)](Store& store, std::int64_t now) { return store.adopt(saga, owner, now); },
        name_, std::move(handler)));
}

void SqliteSagaLog::open_sagas(Handler<void(std::exception_ptr, Records)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, Records)>(
        false, [](Store& store, std::int64_t) { return store.open_sagas(); }, name_, std::move(handler)));
}

void SqliteSagaLog::recent_sagas(std::size_t limit, Handler<void(std::exception_ptr, Records)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, Records)>(
        false, [limit](Store& store, std::int64_t) { return store.recent_sagas(limit); }, name_, std::move(handler)));
}

void SqliteSagaLog::find(SagaId saga, Handler<void(std::exception_ptr, std::optional<SagaRecord>)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, std::optional<SagaRecord>)>(
        false, [saga](Store& store, std::int64_t) { return store.find(saga); }, name_, std::move(handler)));
}

void SqliteSagaLog::prune(std::chrono::system_clock::time_point before, std::size_t limit,
                          Handler<void(std::exception_ptr, std::size_t)> handler) {
    const auto cutoff = to_ms(before);
    writer_->submit(result_job<Store, void(std::exception_ptr, std::size_t)>(
        true, [cutoff, limit](Store& store, std::int64_t) { return store.prune(cutoff, limit); }, name_,
        std::move(handler)));
}

std::uint64_t SqliteSagaLog::commits() const {
    return writer_->commits();
}

const std::filesystem::path& SqliteSagaLog::path() const {
    return writer_->path();
}

std::unique_ptr<saga::SagaLog> open_sqlite_saga_log(const SqliteLogOptions& options) {
    return std::make_unique<SqliteSagaLog>(options);
}

}  // namespace cluster_client::log
