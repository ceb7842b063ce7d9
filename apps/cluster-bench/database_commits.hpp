// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

namespace cluster_client::bench {

/// Transactions committed so far in the database of PostgreSQL URL `url`, by every session
/// (pg_stat_database.xact_commit); nullopt when it cannot be read. The difference of two
/// readings around a run is what the run cost the database.
std::optional<long long> database_commits(const std::string& url);

}  // namespace cluster_client::bench
