// SPDX-License-Identifier: MIT
#include <cluster_client/cluster_client.hpp>

#include <algorithm>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/endpoint.hpp"
#include "http/host_pool.hpp"
#include "http/http_options_check.hpp"
#include "log/postgres/connection.hpp"
#include "log/saga_log_url.hpp"
#include "log/state_dir.hpp"
#include "retry/retry_policy.hpp"
#include "runner/saga_coordinator.hpp"
#include "saga/log_records.hpp"

namespace cluster_client {

namespace asio = boost::asio;

namespace {

// The coordinator refuses options that cannot work before it opens the saga log: they leave
// nothing behind.
std::unique_ptr<saga::SagaCoordinator> make_coordinator(asio::any_io_executor strand, const ClientOptions& options) {
    return std::make_unique<saga::SagaCoordinator>(std::move(strand), options, [&options] {
        return log::open_saga_log(options.saga_log, options.retry, options.logger);
    });
}

// A strand of an io_context's own executor fits in any_io_executor's small buffer, so the
// handlers of every request copy it without a reference count.
asio::any_io_executor make_strand_of(asio::any_io_executor executor) {
    if (const auto* io = executor.target<asio::io_context::executor_type>()) return asio::make_strand(*io);
    return asio::make_strand(std::move(executor));
}

LoggedSaga to_logged(const saga::SagaRecord& record) {
    LoggedSaga logged{.id = record.id,
                      .operation = record.operation,
                      .group = record.group,
                      .hosts = record.hosts,
                      .phase = std::string(saga::to_string(record.phase)),
                      .open = record.open,
                      .outcome = record.outcome,
                      .facts = {},
                      .host_states = record.host_states,
                      .owner_pid = record.owner.pid,
                      .started_at = record.started_at,
                      .updated_at = record.updated_at};
    for (const auto& facts : record.facts) {
        auto& names = logged.facts.emplace_back();
        for (const auto fact : facts) names.emplace_back(saga::to_string(fact));
    }
    return logged;
}

}  // namespace

void check_options(const ClientOptions& options) {
    if (!options.hosts.empty()) static_cast<void>(http::parse_hosts(options.hosts));
    retry::RetryPolicy::validate(options.retry);
    http::check_http_options(options.http);
    log::check_saga_log_options(options.saga_log, options.retry);
    const auto& tls = options.http;
    if (!tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty()) {
        static_cast<void>(http::make_tls_context(tls));
    }
}

std::string shown_saga_log_url(std::string_view url) {
    return log::postgres::display_url(std::string(url));
}

std::string default_state_dir() {
    return log::default_state_dir().string();
}

std::vector<std::string> split_hosts(std::string_view comma_separated) {
    std::vector<std::string> hosts;
    while (!comma_separated.empty()) {
        const auto comma = std::min(comma_separated.find(','), comma_separated.size());
        auto item = comma_separated.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) hosts.emplace_back(item);
        comma_separated.remove_prefix(std::min(comma + 1, comma_separated.size()));
    }
    return hosts;
}

ClusterClient::ClusterClient(executor_type executor, ClientOptions options)
    : strand_(make_strand_of(std::move(executor))), coordinator_(make_coordinator(strand_, options)) {}

ClusterClient::~ClusterClient() = default;

const std::vector<std::string>& ClusterClient::hosts() const {
    return coordinator_->hosts();
}

ClusterClient::executor_type ClusterClient::get_executor() const {
    return strand_;
}

asio::awaitable<SagaReport> ClusterClient::run(Operation operation, std::string group_id) {
    co_return co_await asio::co_spawn(strand_, run_on_strand(operation, std::move(group_id)), asio::use_awaitable);
}

asio::awaitable<SagaReport> ClusterClient::run_on_strand(Operation operation, std::string group_id) {
    validate_group_id(group_id);
    if (coordinator_->hosts().empty()) throw ConfigError("this client has no hosts: it can only recover");
    co_return co_await coordinator_->run(operation, std::move(group_id));
}

asio::awaitable<std::vector<SagaReport>> ClusterClient::recover() {
    co_return co_await asio::co_spawn(strand_, coordinator_->recover(), asio::use_awaitable);
}

asio::awaitable<SagaListing> ClusterClient::list_sagas(std::size_t recent) {
    auto* log = coordinator_->log();
    if (log == nullptr) throw ConfigError("no saga log: listing sagas needs options.saga_log.state_dir or url");
    SagaListing listing;
    for (const auto& record : co_await log->async_open_sagas(asio::use_awaitable)) {
        listing.open.push_back(to_logged(record));
    }
    for (const auto& record : co_await log->async_recent_sagas(recent, asio::use_awaitable)) {
        listing.recent.push_back(to_logged(record));
    }
    co_return listing;
}

asio::awaitable<std::size_t> ClusterClient::prune_sagas(std::chrono::system_clock::time_point before) {
    auto* log = coordinator_->log();
    if (log == nullptr) throw ConfigError("no saga log: pruning needs options.saga_log.state_dir or url");
    std::size_t pruned = 0;
    for (;;) {
        const std::size_t batch = co_await log->async_prune(before, prune_batch, asio::use_awaitable);
        pruned += batch;
        if (batch < prune_batch) co_return pruned;
    }
}

asio::awaitable<bool> ClusterClient::create_group(std::string group_id) {
    const auto report = co_await run(Operation::create, std::move(group_id));
    co_return report.ok();
}

asio::awaitable<std::vector<std::string>> ClusterClient::delete_group(std::string group_id) {
    const auto report = co_await run(Operation::delete_, std::move(group_id));
    co_return report.failed_hosts();
}

asio::awaitable<bool> ClusterClient::verify_group_on_host(std::string host, std::string group_id) {
    validate_group_id(group_id);
    const auto index = coordinator_->host_index(host);
    const auto report =
        co_await asio::co_spawn(strand_, coordinator_->read(index, std::move(group_id)), asio::use_awaitable);
    if (report.state == HostState::unknown) {
        throw RequestError("verify " + report.host + ": " + report.last_error);
    }
    co_return report.state == HostState::present;
}

BlockingClusterClient::BlockingClusterClient(ClientOptions options)
    : client_(std::make_unique<ClusterClient>(io_.get_executor(), std::move(options))) {
    thread_ = std::thread([this] {
        auto guard = asio::make_work_guard(io_);
        io_.run();
    });
}

BlockingClusterClient::~BlockingClusterClient() {
    io_.stop();
    thread_.join();
}

SagaReport BlockingClusterClient::create_group(std::string group_id) {
    return client_->async_create_group(std::move(group_id), asio::use_future).get();
}

SagaReport BlockingClusterClient::delete_group(std::string group_id) {
    return client_->async_delete_group(std::move(group_id), asio::use_future).get();
}

SagaReport BlockingClusterClient::ensure_group(std::string group_id) {
    return client_->async_ensure_group(std::move(group_id), asio::use_future).get();
}

SagaReport BlockingClusterClient::verify_group(std::string group_id) {
    return client_->async_verify_group(std::move(group_id), asio::use_future).get();
}

}  // namespace cluster_client
