// SPDX-License-Identifier: MIT
#include "log/saga_log_url.hpp"

#include <algorithm>
#include <filesystem>

#include <cluster_client/errors.hpp>

#include "log/postgres/connection.hpp"
#include "log/postgres/fence.hpp"
#include "log/postgres/postgres_saga_log.hpp"
#include "log/sqlite/sqlite_saga_log.hpp"
#include "log/state_dir.hpp"

namespace cluster_client::log {

namespace {

std::string text_of(std::chrono::milliseconds duration) {
    return std::to_string(duration.count()) + "ms";
}

constexpr std::string_view sqlite_scheme = "sqlite://";

bool is_postgres(const std::string& url) {
    return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// sqlite:///absolute/path: the scheme, then an absolute path.
std::filesystem::path sqlite_path(const std::string& url) {
    const std::filesystem::path path = url.substr(sqlite_scheme.size());
    if (!path.is_absolute() || path.filename().empty()) {
        throw ConfigError("saga_log " + url + ": a SQLite log is sqlite:///ABSOLUTE/PATH/FILE (three slashes)");
    }
    return path;
}

}  // namespace

void check_saga_log_options(const SagaLogOptions& options, const RetryOptions& retry) {
    const auto& url = options.url;
    if (url.starts_with(sqlite_scheme)) {
        static_cast<void>(sqlite_path(url));
    } else if (is_postgres(url)) {
        if (const auto problem = postgres::url_problem(url); !problem.empty()) {
            throw ConfigError("saga_log " + postgres::display_url(url) + ": " + problem);
        }
    } else if (!url.empty()) {
        throw ConfigError("saga_log " + postgres::display_url(url) +
                          ": a saga log URL is sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE");
    }
    const auto& schema = options.schema;
    const bool plain = !schema.empty() && schema.size() <= 63 && !(schema[0] >= '0' && schema[0] <= '9') &&
                       std::all_of(schema.begin(), schema.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
    if (!plain) {
        throw ConfigError("schema '" + schema +
                          "': a schema name is 1 to 63 lowercase letters, digits and _, not starting with a digit");
    }
    // The lease binds only a log shared by several coordinators: any attempt timeout suits
    // the others.
    const auto least = 3 * (retry.attempt_timeout + postgres::Fence::margin);
    if (is_postgres(url) && options.lease_ttl < least) {
        throw ConfigError("lease_ttl " + text_of(options.lease_ttl) + ": must be at least 3 x (attempt_timeout + " +
                          text_of(postgres::Fence::margin) + ") = " + text_of(least) +
                          ", so that a renewal every third of it leaves a request time to end before the lease");
    }
    if (options.recovery_interval.count() < 0) {
        throw ConfigError("recovery_interval " + text_of(options.recovery_interval) + ": must not be negative");
    }
}

std::shared_ptr<saga::SagaLog> open_saga_log(const SagaLogOptions& options, const RetryOptions& retry,
                                             std::shared_ptr<spdlog::logger> logger) {
    check_saga_log_options(options, retry);
    const auto& url = options.url;
    if (is_postgres(url)) {
        return std::make_shared<PostgresSagaLog>(
            PostgresLogOptions{.url = url, .schema = options.schema, .lease_ttl = options.lease_ttl, .logger = logger});
    }
    std::filesystem::path path;
    if (url.starts_with(sqlite_scheme)) {
        path = sqlite_path(url);
        prepare_state_dir(path.parent_path());
    } else if (!options.state_dir.empty()) {
        prepare_state_dir(options.state_dir);
        path = saga_log_path(options.state_dir);
    } else {
        return nullptr;
    }
    return open_sqlite_saga_log({.path = path, .durability = options.durability, .logger = logger});
}

}  // namespace cluster_client::log
