// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>

#include "log/sqlite/error.hpp"

namespace cluster_client::log::sqlite {

struct CloseDatabase {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

// The rows of one run of a statement; resetting it when they go ends the statement's read
// snapshot, which would otherwise hide later commits and hold back checkpoints.
class Rows {
public:
    Rows(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
    Rows(Rows&& other) noexcept : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    Rows& operator=(Rows&&) = delete;
    ~Rows() {
        if (statement_ == nullptr) return;
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }

    bool next() {
        const int code = sqlite3_step(statement_);
        if (code == SQLITE_ROW) return true;
        if (code == SQLITE_DONE) return false;
        throw SqliteError(code, sqlite3_errmsg(db_));
    }
    bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
    std::string text(int column) const {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
        if (data == nullptr) return {};
        return {data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
    }

private:
    sqlite3* db_;
    sqlite3_stmt* statement_;
};

// A statement prepared once and run many times.
class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) : db_(db) {
        check(db, sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement_, nullptr));
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() { sqlite3_finalize(statement_); }

    /// Binds `args` to ?1, ?2, ... in order.
    template <class... Args>
    Rows query(const Args&... args) {
        Rows rows(db_, statement_);
        int index = 0;
        (bind(++index, args), ...);
        return rows;
    }
    /// Runs to the end; returns how many rows it changed.
    template <class... Args>
    int execute(const Args&... args) {
        Rows rows = query(args...);
        while (rows.next()) {
        }
        return sqlite3_changes(db_);
    }

private:
    void bind(int index, std::int64_t value) { check(db_, sqlite3_bind_int64(statement_, index, value)); }
    void bind(int index, std::string_view value) {
        check(db_,
              sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    }

    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
};
}  // namespace cluster_client::log::sqlite
