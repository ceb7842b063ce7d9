// SPDX-License-Identifier: MIT
#include "log/sqlite/schema.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <cluster_client/errors.hpp>

namespace cluster_client::log::sqlite {

namespace {

// PRAGMA application_id marks the file as a saga log ("CCsg"), so another program's
// SQLite database is refused instead of being written to.
constexpr std::int64_t saga_log_application_id = 0x43437367;

// migrations[v] takes the schema from version v to v + 1. Released entries never change:
// a new version appends one.
constexpr std::array<const char*, schema_version> migrations = {
    R"sql(
CREATE TABLE sagas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    group_id TEXT NOT NULL,
    hosts TEXT NOT NULL,
    phase TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    outcome TEXT,
    host_states TEXT NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_start_time TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX sagas_open ON sagas (id) WHERE is_open;
CREATE INDEX sagas_updated ON sagas (updated_at);
CREATE TABLE facts (
    seq INTEGER PRIMARY KEY,
    saga INTEGER NOT NULL,
    host INTEGER NOT NULL,
    fact TEXT NOT NULL
);
CREATE INDEX facts_saga ON facts (saga, seq);
CREATE TABLE leases (
    group_id TEXT PRIMARY KEY,
    saga INTEGER NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_start_time TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // Version 2 adds the facts 'writing' (a fast create about to POST) and 'unwritten' (no
    // write of ours applied): no table changes, but a program of version 1 would not know
    // them, so it must refuse the file.
    "SELECT 1;",
};

struct FileIdentity {
    std::int64_t application_id = 0;
    std::int64_t version = 0;
    std::int64_t objects = 0;
};

std::int64_t single_integer(sqlite3* db, const char* sql) {
    Statement statement(db, sql);
    Rows rows = statement.query();
    return rows.next() ? rows.integer(0) : 0;
}

FileIdentity identify(sqlite3* db) {
    return {single_integer(db, "PRAGMA application_id"), single_integer(db, "PRAGMA user_version"),
            single_integer(db, "SELECT count(*) FROM sqlite_schema")};
}

// Returns the file's schema version; 0 for a new, empty file.
std::int64_t check_identity(const std::filesystem::path& path, const FileIdentity& identity) {
    if (identity.application_id == 0 && identity.version == 0 && identity.objects == 0) return 0;
    if (identity.application_id != saga_log_application_id) {
        throw ConfigError("saga log " + path.string() + " is corrupt or not a saga log (another program's database)");
    }
    if (identity.version > schema_version) {
        throw ConfigError("saga log " + path.string() + " was written by a newer version (schema " +
                          std::to_string(identity.version) + ", this program knows " + std::to_string(schema_version) +
                          ")");
    }
    return identity.version;
}

// Under the write lock, so two processes opening a new file at once create the schema once.
void migrate(const std::filesystem::path& path, sqlite3* db) {
    exec(db, "BEGIN IMMEDIATE");
    try {
        const std::int64_t version = check_identity(path, identify(db));
        for (auto step = static_cast<std::size_t>(version); step < migrations.size(); ++step) {
            exec(db, migrations[step]);
        }
        if (version < schema_version) {
            exec(db, "PRAGMA application_id = " + std::to_string(saga_log_application_id));
            exec(db, "PRAGMA user_version = " + std::to_string(schema_version));
        }
        exec(db, "COMMIT");
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// The checks run before anything is written, so a file that fails them is left untouched.
Database open_log_file_once(const std::filesystem::path& path, Durability durability) {
    sqlite3* raw = nullptr;
    constexpr int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw);
    if (code != SQLITE_OK) {
        throw ConfigError(describe(path, code, db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(code)));
    }
    try {
        sqlite3_extended_result_codes(db.get(), 1);
        sqlite3_busy_timeout(db.get(), busy_timeout_ms);
        // SQLite falls back to read-only when it cannot open the file for writing.
        if (sqlite3_db_readonly(db.get(), "main") == 1) {
            throw ConfigError("saga log " + path.string() + " cannot be opened for writing (read-only)");
        }
        {
            // One read transaction, so the three reads see one snapshot: another process may
            // be creating the schema at this moment.
            exec(db.get(), "BEGIN");
            FileIdentity identity;
            try {
                identity = identify(db.get());
            } catch (...) {
                sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
            exec(db.get(), "COMMIT");
            check_identity(path, identity);
        }
        {
            Statement wal(db.get(), "PRAGMA journal_mode = WAL");
            Rows rows = wal.query();
            if (!rows.next() || rows.text(0) != "wal") {
                throw ConfigError("saga log " + path.string() + " cannot be used: WAL mode is not available");
            }
        }
        exec(db.get(), durability == Durability::machine ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        migrate(path, db.get());
    } catch (const SqliteError& error) {
        reject(db.get());
        if ((error.code() & 0xff) == SQLITE_BUSY) throw;
        throw ConfigError(describe(path, error.code(), error.what()));
    } catch (...) {
        reject(db.get());
        throw;
    }
    return db;
}

}  // namespace

// Closing a file that failed its checks must not checkpoint a leftover WAL into it.
void reject(sqlite3* db) {
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

// Two processes opening a new file at once can find it locked in ways SQLite's busy
// handler does not wait out (while the other one turns on WAL mode): try again, bounded.
Database open_log_file(const std::filesystem::path& path, Durability durability) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    for (;;) {
        try {
            return open_log_file_once(path, durability);
        } catch (const SqliteError& error) {
            if (std::chrono::steady_clock::now() >= give_up) {
                throw ConfigError(describe(path, error.code(), error.what()));
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace cluster_client::log::sqlite
