// SPDX-License-Identifier: MIT
#include "log/postgres/postgres_saga_log.hpp"

#include <utility>

#include <cluster_client/errors.hpp>

#include "log/codec.hpp"
#include "log/job.hpp"
#include "log/postgres/writer.hpp"
#include "logging/logger.hpp"

namespace cluster_client::log {

using boost::system::error_code;
using postgres::Store;
using saga::Fact;
using saga::Owner;
using saga::Phase;
using saga::SagaId;
using saga::SagaRecord;

namespace {

std::unique_ptr<postgres::Writer> open_writer(const PostgresLogOptions& options, postgres::Fence& fence) {
    try {
        return std::make_unique<postgres::Writer>(Store::Options{.url = options.url,
                                                                 .schema = options.schema,
                                                                 .lease_ttl = options.lease_ttl,
                                                                 .logger = logging::or_silent(options.logger)},
                                                  options.max_batch, options.commit_window, fence);
    } catch (const postgres::PgError& error) {
        throw SagaLogUnavailable(error.what());
    }
}

// A begin waits for its batch's result: its slot is known once staged, its outcome once
// the batch has committed.
class BeginJob final : public Job<Store> {
public:
    using Handler = boost::asio::any_completion_handler<void(error_code, saga::BeginResult)>;

    BeginJob(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner, Handler handler)
        : operation_(operation),
          group_(std::move(group)),
          hosts_(std::move(hosts)),
          owner_(std::move(owner)),
          executor_(completion_executor(handler)),
          handler_(std::move(handler)) {}

    error_code run(Store& store, std::int64_t) override {
        store_ = &store;
        slot_ = store.stage_begin(operation_, group_, hosts_, owner_);
        return {};
    }
    void complete(error_code error, const std::string&) override {
        error_ = error;
        if (!error) result_ = store_->begun(slot_);
    }
    const boost::asio::any_completion_executor& executor() const override { return executor_; }
    void deliver() override { std::move(handler_)(error_, result_); }

private:
    Operation operation_;
    std::string group_;
    std::vector<std::string> hosts_;
    Owner owner_;
    boost::asio::any_completion_executor executor_;
    Handler handler_;
    Store* store_ = nullptr;
    std::size_t slot_ = 0;
    error_code error_ = not_committed();
    saga::BeginResult result_{};
};

}  // namespace

PostgresSagaLog::PostgresSagaLog(const PostgresLogOptions& options)
    : name_("saga log " + postgres::display_url(options.url)), writer_(open_writer(options, fence_)) {}

PostgresSagaLog::~PostgresSagaLog() = default;

bool PostgresSagaLog::may_send(SagaId saga, std::chrono::steady_clock::time_point until) const {
    return fence_.may_send(saga, until);
}

void PostgresSagaLog::begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                            Handler<void(error_code, saga::BeginResult)> handler) {
    writer_->submit(std::make_unique<BeginJob>(operation, std::move(group), std::move(hosts), std::move(owner),
                                               std::move(handler)));
}

void PostgresSagaLog::record(SagaId saga, std::size_t host, Fact fact, Handler<WriteSignature> handler) {
    writer_->submit(
        write_job<Store>([saga, host, fact](Store& store, std::int64_t) { return store.record(saga, host, fact); },
                         std::move(handler)),
        saga);
}

void PostgresSagaLog::set_phase(SagaId saga, Phase phase, Handler<WriteSignature> handler) {
    writer_->submit(write_job<Store>([saga, phase](Store& store, std::int64_t) { return store.set_phase(saga, phase); },
                                     std::move(handler)),
                    saga);
}

void PostgresSagaLog::end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
                          Handler<WriteSignature> handler) {
    writer_->submit(write_job<Store>([saga, outcome, states = std::move(host_states)](
                                         Store& store, std::int64_t) { return store.end(saga, outcome, states); },
                                     std::move(handler)),
                    saga);
}

void PostgresSagaLog::adopt(SagaId saga, Owner owner, Handler<void(std::exception_ptr, bool)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, bool)>(
        false, [saga, owner = std::move(owner)](Store& store, std::int64_t) { return store.adopt(saga, owner); }, name_,
        std::move(handler)));
}

void PostgresSagaLog::open_sagas(Handler<void(std::exception_ptr, Records)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, Records)>(
        false, [](Store& store, std::int64_t) { return store.open_sagas(); }, name_, std::move(handler)));
}

void PostgresSagaLog::recent_sagas(std::size_t limit, Handler<void(std::exception_ptr, Records)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, Records)>(
        false, [limit](Store& store, std::int64_t) { return store.recent_sagas(limit); }, name_, std::move(handler)));
}

void PostgresSagaLog::find(SagaId saga, Handler<void(std::exception_ptr, std::optional<SagaRecord>)> handler) {
    writer_->submit(result_job<Store, void(std::exception_ptr, std::optional<SagaRecord>)>(
        false, [saga](Store& store, std::int64_t) { return store.find(saga); }, name_, std::move(handler)));
}

void PostgresSagaLog::prune(std::chrono::system_clock::time_point before, std::size_t limit,
                            Handler<void(std::exception_ptr, std::size_t)> handler) {
    const auto cutoff = to_ms(before);
    writer_->submit(result_job<Store, void(std::exception_ptr, std::size_t)>(
        false, [cutoff, limit](Store& store, std::int64_t) { return store.prune(cutoff, limit); }, name_,
        std::move(handler)));
}

std::uint64_t PostgresSagaLog::commits() const {
    return writer_->commits();
}

std::chrono::microseconds PostgresSagaLog::commit_window() const {
    return writer_->window();
}

}  // namespace cluster_client::log
