// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <cluster_client/options.hpp>

#include "saga/saga_log.hpp"

namespace cluster_client::log {

/// Checks the saga log options without opening anything: the URL's form, the schema name,
/// the lease against the attempt timeout. Throws ConfigError naming the option and the rule.
void check_saga_log_options(const SagaLogOptions& options, const RetryOptions& retry);

/// Opens the saga log `options` name: null when there is none (no state directory and no
/// URL), else the SQLite file or the PostgreSQL log. Throws ConfigError for bad options or
/// an unusable SQLite file, SagaLogUnavailable for a PostgreSQL log that cannot be used
/// (its server, or a schema of a newer version).
std::shared_ptr<saga::SagaLog> open_saga_log(const SagaLogOptions& options, const RetryOptions& retry,
                                             std::shared_ptr<spdlog::logger> logger);

}  // namespace cluster_client::log
