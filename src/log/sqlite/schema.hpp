// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include <cluster_client/options.hpp>

#include "log/sqlite/statement.hpp"

namespace cluster_client::log::sqlite {

/// The schema version this program writes (PRAGMA user_version).
inline constexpr int schema_version = 2;

/// Long enough to outlast another process's batch on a slow disk, short enough that a
/// wedged process surfaces as an error rather than a hang.
inline constexpr int busy_timeout_ms = 10'000;

/// Opens the saga log file at `path`, creating it (and its schema) if missing and bringing
/// an older schema up to date, in WAL mode with the synchronous level `durability` asks
/// for. Throws ConfigError when the file cannot be used: not writable, not a saga log,
/// corrupt, or written by a newer version; such a file is left untouched.
Database open_log_file(const std::filesystem::path& path, Durability durability);

/// Closes `db` without checkpointing a leftover WAL into a file that failed its checks.
void reject(sqlite3* db);

}  // namespace cluster_client::log::sqlite
