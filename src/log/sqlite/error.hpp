// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include <boost/system/error_code.hpp>
#include <sqlite3.h>

namespace cluster_client::log::sqlite {

/// SQLite's result codes as error codes ("sqlite" category).
const boost::system::error_category& sqlite_category();

/// A failed SQLite call. Inside a batch it fails the whole batch.
class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }
    boost::system::error_code error() const { return {code_, sqlite_category()}; }

private:
    int code_;
};

/// Throws SqliteError unless `code` is SQLITE_OK.
void check(sqlite3* db, int code);
/// Runs SQL that returns no rows; throws SqliteError.
void exec(sqlite3* db, const std::string& sql);

/// What a user reads when the log file at `path` cannot be used, by SQLite result code:
/// corrupt or not a saga log, not writable, or another failure.
std::string describe(const std::filesystem::path& path, int code, const std::string& detail);

}  // namespace cluster_client::log::sqlite
