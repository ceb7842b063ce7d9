// SPDX-License-Identifier: MIT
#include "log/sqlite/error.hpp"

namespace cluster_client::log::sqlite {

namespace {

// Boost's categories have a protected, non-virtual destructor on purpose: they live as
// statics and are never deleted through the base.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class SqliteCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sqlite"; }
    std::string message(int code) const override { return sqlite3_errstr(code); }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& sqlite_category() {
    static const SqliteCategory category;
    return category;
}

void check(sqlite3* db, int code) {
    if (code != SQLITE_OK) throw SqliteError(code, sqlite3_errmsg(db));
}

void exec(sqlite3* db, const std::string& sql) {
    check(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr));
}

std::string describe(const std::filesystem::path& path, int code, const std::string& detail) {
    const std::string name = "saga log " + path.string();
    switch (code & 0xff) {
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_FORMAT:
        case SQLITE_SCHEMA: return name + " is corrupt or not a saga log (" + detail + ")";
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH: return name + " cannot be opened for writing (" + detail + ")";
        default: return name + " cannot be used (" + detail + ")";
    }
}

}  // namespace cluster_client::log::sqlite
