// SPDX-License-Identifier: MIT
#include "log/sqlite_saga_log.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <chrono>
#include <thread>
#include <unordered_map>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/json.hpp>
#include <boost/system/errc.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cluster_client/errors.hpp>

namespace cluster_client::log {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using boost::system::error_code;

// Long enough to outlast another process's batch on a slow disk, short enough that a
// wedged process surfaces as an error rather than a hang.
constexpr int busy_timeout_ms = 10'000;
// PRAGMA application_id marks the file as a saga log ("CCsg"), so another program's
// SQLite database is refused instead of being written to.
constexpr std::int64_t saga_log_application_id = 0x43437367;
constexpr const char* crash_variable = "CLUSTER_CLIENT_CRASH_AFTER_LOG_COMMITS";
constexpr int crash_exit_status = 86;

// migrations[v] takes the schema from version v to v + 1. Released entries never change:
// a new version appends one.
constexpr std::array<const char*, SqliteSagaLog::schema_version> migrations = {
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

const boost::system::error_category& sqlite_category() {
    static const SqliteCategory category;
    return category;
}

// A failed SQLite call. Inside a batch it fails the whole batch.
class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }
    error_code error() const { return {code_, sqlite_category()}; }

private:
    int code_;
};

void check(sqlite3* db, int code) {
    if (code != SQLITE_OK) throw SqliteError(code, sqlite3_errmsg(db));
}

void exec(sqlite3* db, const std::string& sql) {
    check(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr));
}

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
        check(db_, sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                                     SQLITE_TRANSIENT));
    }

    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
};

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
}

std::int64_t to_int64(std::size_t value) {
    return static_cast<std::int64_t>(std::min<std::size_t>(value, std::numeric_limits<std::int64_t>::max()));
}

[[noreturn]] void corrupt_row(SagaId saga, const std::string& what) {
    throw SqliteError(SQLITE_CORRUPT, "saga " + std::to_string(saga) + ": " + what);
}

// Enums are stored by name: readable with the sqlite3 shell, and immune to reordering.
template <class Enum, std::size_t N>
Enum parse_name(SagaId saga, const std::string& name, const std::array<Enum, N>& values, const char* what) {
    for (const Enum value : values) {
        if (to_string(value) == name) return value;
    }
    corrupt_row(saga, std::string("unknown ") + what + " '" + name + "'");
}

constexpr std::array all_operations = {Operation::create, Operation::delete_, Operation::ensure, Operation::verify};
constexpr std::array all_phases = {Phase::forward, Phase::compensating};
constexpr std::array all_facts = {Fact::absent_before, Fact::present_before, Fact::writing, Fact::created,
                                   Fact::deleted, Fact::unwritten};
constexpr std::array all_outcomes = {
    SagaOutcome::created,  SagaOutcome::deleted,     SagaOutcome::already_exists,      SagaOutcome::not_found,
    SagaOutcome::present,  SagaOutcome::absent,      SagaOutcome::conflict,            SagaOutcome::rolled_back,
    SagaOutcome::rollback_incomplete, SagaOutcome::incomplete, SagaOutcome::busy,      SagaOutcome::unknown,
};
constexpr std::array all_host_states = {
    HostState::unknown, HostState::present_before, HostState::absent_before, HostState::created,
    HostState::deleted, HostState::present,        HostState::absent,        HostState::failed,
    HostState::rolled_back, HostState::restored,   HostState::rollback_failed,
};

std::string encode_hosts(const std::vector<std::string>& hosts) {
    json::array array;
    for (const auto& host : hosts) array.emplace_back(host);
    return json::serialize(array);
}

std::string encode_states(const std::vector<HostState>& states) {
    json::array array;
    for (const HostState state : states) array.emplace_back(to_string(state));
    return json::serialize(array);
}

std::vector<std::string> decode_names(SagaId saga, const std::string& text, const char* what) {
    error_code error;
    const json::value value = json::parse(text, error);
    if (error || !value.is_array()) corrupt_row(saga, std::string(what) + " is not a JSON array");
    std::vector<std::string> names;
    for (const json::value& item : value.as_array()) {
        if (!item.is_string()) corrupt_row(saga, std::string(what) + " holds a non-string");
        names.emplace_back(item.as_string());
    }
    return names;
}

bool leaves_open(SagaOutcome outcome) {
    SagaReport report;
    report.outcome = outcome;
    return report.left_open();
}

// Closing a file that failed its checks must not checkpoint a leftover WAL into it.
void reject(sqlite3* db) {
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

std::string describe(const std::filesystem::path& path, int code, const std::string& detail) {
    const std::string name = "saga log " + path.string();
    switch (code & 0xff) {
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_FORMAT:
        case SQLITE_SCHEMA:
            return name + " is corrupt or not a saga log (" + detail + ")";
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            return name + " cannot be opened for writing (" + detail + ")";
        default:
            return name + " cannot be used (" + detail + ")";
    }
}

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
    if (identity.version > SqliteSagaLog::schema_version) {
        throw ConfigError("saga log " + path.string() + " was written by a newer version (schema " +
                          std::to_string(identity.version) + ", this program knows " +
                          std::to_string(SqliteSagaLog::schema_version) + ")");
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
        if (version < SqliteSagaLog::schema_version) {
            exec(db, "PRAGMA application_id = " + std::to_string(saga_log_application_id));
            exec(db, "PRAGMA user_version = " + std::to_string(SqliteSagaLog::schema_version));
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

std::uint64_t crash_after_commits() {
    const char* value = std::getenv(crash_variable);
    if (value == nullptr || *value == '\0') return 0;
    char* end = nullptr;
    const unsigned long long count = std::strtoull(value, &end, 10);
    return *end == '\0' ? count : 0;
}

std::string select_sagas(std::string_view rest) {
    return "SELECT id, operation, group_id, hosts, phase, is_open, outcome, host_states, owner_pid, "
           "owner_start_time, started_at, updated_at FROM sagas " +
           std::string(rest);
}

struct Statements {
    explicit Statements(sqlite3* db)
        : begin(db, "BEGIN IMMEDIATE"),
          commit(db, "COMMIT"),
          lease_of_group(db,
                         "SELECT l.saga, l.owner_pid, l.owner_start_time, coalesce(s.is_open, 0) FROM leases l "
                         "LEFT JOIN sagas s ON s.id = l.saga WHERE l.group_id = ?1"),
          lease_of_saga(db,
                        "SELECT s.is_open, s.group_id, l.saga, l.owner_pid, l.owner_start_time, "
                        "json_array_length(s.hosts) FROM sagas s "
                        "LEFT JOIN leases l ON l.group_id = s.group_id WHERE s.id = ?1"),
          insert_saga(db,
                      "INSERT INTO sagas (operation, group_id, hosts, phase, is_open, outcome, host_states, owner_pid, "
                      "owner_start_time, started_at, updated_at) "
                      "VALUES (?1, ?2, ?3, 'forward', 1, NULL, '[]', ?4, ?5, ?6, ?6)"),
          put_lease(db,
                    "INSERT INTO leases (group_id, saga, owner_pid, owner_start_time) VALUES (?1, ?2, ?3, ?4) "
                    "ON CONFLICT (group_id) DO UPDATE SET saga = excluded.saga, owner_pid = excluded.owner_pid, "
                    "owner_start_time = excluded.owner_start_time"),
          free_lease(db,
                     "DELETE FROM leases WHERE saga = ?1 "
                     "AND group_id = (SELECT group_id FROM sagas WHERE id = ?1)"),
          touch_for_fact(db,
                         "UPDATE sagas SET updated_at = ?1 "
                         "WHERE id = ?2 AND is_open AND ?3 >= 0 AND ?3 < json_array_length(hosts)"),
          insert_fact(db, "INSERT INTO facts (saga, host, fact) VALUES (?1, ?2, ?3)"),
          set_phase(db, "UPDATE sagas SET phase = ?1, updated_at = ?2 WHERE id = ?3 AND is_open"),
          end_saga(db,
                   "UPDATE sagas SET outcome = ?1, host_states = ?2, is_open = ?3, updated_at = ?4 "
                   "WHERE id = ?5 AND is_open AND (?6 = 0 OR ?6 = json_array_length(hosts))"),
          set_owner(db, "UPDATE sagas SET owner_pid = ?1, owner_start_time = ?2, updated_at = ?3 WHERE id = ?4"),
          saga_by_id(db, select_sagas("WHERE id = ?1")),
          open_sagas(db, select_sagas("WHERE is_open ORDER BY id")),
          recent_sagas(db, select_sagas("ORDER BY updated_at DESC, id DESC LIMIT ?1")),
          facts_of(db, "SELECT host, fact FROM facts WHERE saga = ?1 ORDER BY seq") {}

    Statement begin;
    Statement commit;
    Statement lease_of_group;
    Statement lease_of_saga;
    Statement insert_saga;
    Statement put_lease;
    Statement free_lease;
    Statement touch_for_fact;
    Statement insert_fact;
    Statement set_phase;
    Statement end_saga;
    Statement set_owner;
    Statement saga_by_id;
    Statement open_sagas;
    Statement recent_sagas;
    Statement facts_of;
};

// The log's data, as the writer thread sees it. Only that thread touches it.
class Store {
public:
    Store(const std::filesystem::path& path, Durability durability) : db_(open_log_file(path, durability)) {
        try {
            statements_.emplace(db_.get());
        } catch (const SqliteError& error) {
            reject(db_.get());
            throw ConfigError(describe(path, SQLITE_CORRUPT, error.what()));
        }
    }

    /// Open sagas this process runs.
    std::size_t running() const { return running_.size(); }

    void begin_transaction() {
        running_before_ = running_;
        statements_->begin.execute();
    }
    void commit_transaction() { statements_->commit.execute(); }
    void rollback_transaction() {
        // Some failures (a full disk, an I/O error) have rolled back already.
        if (sqlite3_get_autocommit(db_.get()) == 0) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        running_ = std::move(running_before_);
    }

    BeginResult begin(Operation operation, const std::string& group, const std::vector<std::string>& hosts,
                      const Owner& owner, std::int64_t now) {
        using enum BeginResult::Kind;
        auto& s = *statements_;
        {
            Rows lease = s.lease_of_group.query(group);
            if (lease.next() && lease.integer(3) != 0) {
                const SagaId held = lease.integer(0);
                const Owner holder{lease.integer(1), lease.text(2)};
                // Our own open saga is either running now (in this log) or left for recovery.
                if (holder == owner) return {running_.contains(held) ? busy : needs_recovery, held};
                return {holder.alive() ? busy : needs_recovery, held};
            }
        }
        s.insert_saga.execute(to_string(operation), group, encode_hosts(hosts), owner.pid, owner.start_time, now);
        const SagaId saga = sqlite3_last_insert_rowid(db_.get());
        s.put_lease.execute(group, saga, owner.pid, owner.start_time);
        running_.emplace(saga, hosts.size());
        return {started, saga};
    }

    // A fact is the hottest write: for a saga this process runs, it is checked in memory
    // and leaves updated_at alone; for any other it is checked against the file.
    bool record(SagaId saga, std::size_t host, Fact fact, std::int64_t now) {
        auto& s = *statements_;
        if (const auto running = running_.find(saga); running != running_.end()) {
            if (host >= running->second) return false;
        } else if (s.touch_for_fact.execute(now, saga, to_int64(host)) == 0) {
            return false;
        }
        s.insert_fact.execute(saga, to_int64(host), to_string(fact));
        return true;
    }

    bool set_phase(SagaId saga, Phase phase, std::int64_t now) {
        return statements_->set_phase.execute(to_string(phase), now, saga) != 0;
    }

    bool end(SagaId saga, SagaOutcome outcome, const std::vector<HostState>& states, std::int64_t now) {
        auto& s = *statements_;
        const bool stays_open = leaves_open(outcome);
        const std::int64_t open_flag = stays_open ? 1 : 0;
        const std::int64_t state_count = to_int64(states.size());
        if (s.end_saga.execute(to_string(outcome), encode_states(states), open_flag, now, saga, state_count) == 0) {
            return false;
        }
        if (!stays_open) s.free_lease.execute(saga);
        running_.erase(saga);
        return true;
    }

    bool adopt(SagaId saga, const Owner& owner, std::int64_t now) {
        auto& s = *statements_;
        std::string group;
        std::size_t hosts = 0;
        {
            Rows row = s.lease_of_saga.query(saga);
            if (!row.next() || row.integer(0) == 0) return false;
            group = row.text(1);
            hosts = static_cast<std::size_t>(row.integer(5));
            if (!row.is_null(2)) {
                const Owner holder{row.integer(3), row.text(4)};
                if (row.integer(2) != saga) return false;
                if (holder != owner && holder.alive()) return false;
            }
        }
        s.set_owner.execute(owner.pid, owner.start_time, now, saga);
        s.put_lease.execute(group, saga, owner.pid, owner.start_time);
        running_.emplace(saga, hosts);
        return true;
    }

    std::optional<SagaRecord> find(SagaId saga) {
        std::optional<SagaRecord> found;
        {
            Rows rows = statements_->saga_by_id.query(saga);
            if (rows.next()) found = read_saga(rows);
        }
        if (found) read_facts(*found);
        return found;
    }

    std::vector<SagaRecord> open_sagas() { return read_sagas(statements_->open_sagas.query()); }
    std::vector<SagaRecord> recent_sagas(std::size_t limit) {
        return read_sagas(statements_->recent_sagas.query(to_int64(limit)));
    }

private:
    static SagaRecord read_saga(const Rows& row) {
        SagaRecord saga;
        saga.id = row.integer(0);
        saga.operation = parse_name(saga.id, row.text(1), all_operations, "operation");
        saga.group = row.text(2);
        saga.hosts = decode_names(saga.id, row.text(3), "hosts");
        saga.phase = parse_name(saga.id, row.text(4), all_phases, "phase");
        saga.open = row.integer(5) != 0;
        if (!row.is_null(6)) saga.outcome = parse_name(saga.id, row.text(6), all_outcomes, "outcome");
        for (const auto& name : decode_names(saga.id, row.text(7), "host states")) {
            saga.host_states.push_back(parse_name(saga.id, name, all_host_states, "host state"));
        }
        saga.owner = {row.integer(8), row.text(9)};
        saga.started_at = from_ms(row.integer(10));
        saga.updated_at = from_ms(row.integer(11));
        saga.facts.resize(saga.hosts.size());
        return saga;
    }

    void read_facts(SagaRecord& saga) {
        Rows rows = statements_->facts_of.query(saga.id);
        while (rows.next()) {
            const std::int64_t host = rows.integer(0);
            if (host < 0 || host >= to_int64(saga.facts.size())) corrupt_row(saga.id, "a fact names no host");
            saga.facts[static_cast<std::size_t>(host)].push_back(parse_name(saga.id, rows.text(1), all_facts, "fact"));
        }
    }

    // The saga rows first, then their facts: a statement is never stepped while another
    // run of itself is pending.
    std::vector<SagaRecord> read_sagas(Rows rows) {
        std::vector<SagaRecord> sagas;
        {
            Rows pending = std::move(rows);
            while (pending.next()) sagas.push_back(read_saga(pending));
        }
        for (auto& saga : sagas) read_facts(saga);
        return sagas;
    }

    Database db_;
    std::optional<Statements> statements_;
    // Sagas this log has begun or adopted and not ended: running here, not left behind.
    std::unordered_map<SagaId, std::size_t> running_;  ///< open sagas this process runs, and their host counts
    std::unordered_map<SagaId, std::size_t> running_before_;
};

// One queued call. Writes run inside their batch's transaction; a write that returns an
// error is rejected alone and must have changed nothing, while a thrown SqliteError fails
// the whole batch. Reads run after the batch has committed.
// A request to the writer thread. complete() runs there and only stores the result;
// deliver() hands it to the caller, on the caller's executor when it has one.
class Job {
public:
    virtual ~Job() = default;
    virtual bool writes() const { return true; }
    virtual error_code run(Store& store, std::int64_t now) = 0;
    virtual void complete(error_code error, const std::string& detail) = 0;
    /// Where deliver() must run; null: on any thread.
    virtual const asio::any_completion_executor* executor() const { return nullptr; }
    virtual void deliver() = 0;
};

// What a caller hears about a write the writer thread never got to (it failed unexpectedly).
error_code not_committed() { return make_error_code(boost::system::errc::io_error); }

// Holds the handler's executor with outstanding work, so an io_context does not run out
// of work while a write waits for its commit.
template <class Handler>
asio::any_completion_executor completion_executor(const Handler& handler) {
    // Without an executor of its own, a handler runs on the system pool, never on the
    // writer thread.
    const auto fallback = asio::require(asio::system_executor(), asio::execution::blocking.never);
    return asio::prefer(asio::get_associated_executor(handler, fallback), asio::execution::outstanding_work.tracked);
}

class WriteJob final : public Job {
public:
    using Handler = asio::any_completion_handler<void(error_code)>;
    using Action = std::function<bool(Store&, std::int64_t)>;

    WriteJob(Action action, Handler handler)
        : action_(std::move(action)), executor_(completion_executor(handler)), handler_(std::move(handler)) {}

    error_code run(Store& store, std::int64_t now) override {
        if (action_(store, now)) return {};
        return make_error_code(boost::system::errc::invalid_argument);
    }
    void complete(error_code error, const std::string&) override { error_ = error; }
    const asio::any_completion_executor* executor() const override { return &executor_; }
    void deliver() override { std::move(handler_)(error_); }

private:
    Action action_;
    asio::any_completion_executor executor_;
    Handler handler_;
    error_code error_ = not_committed();
};

class BeginJob final : public Job {
public:
    using Handler = asio::any_completion_handler<void(error_code, BeginResult)>;

    BeginJob(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner, Handler handler)
        : operation_(operation),
          group_(std::move(group)),
          hosts_(std::move(hosts)),
          owner_(std::move(owner)),
          executor_(completion_executor(handler)),
          handler_(std::move(handler)) {}

    error_code run(Store& store, std::int64_t now) override {
        result_ = store.begin(operation_, group_, hosts_, owner_, now);
        return {};
    }
    void complete(error_code error, const std::string&) override {
        error_ = error;
        if (error) result_ = BeginResult{};
    }
    const asio::any_completion_executor* executor() const override { return &executor_; }
    void deliver() override { std::move(handler_)(error_, result_); }

private:
    Operation operation_;
    std::string group_;
    std::vector<std::string> hosts_;
    Owner owner_;
    asio::any_completion_executor executor_;
    Handler handler_;
    BeginResult result_;
    error_code error_ = not_committed();
};

// Hands the results of a batch to their callers: one dispatch per executor, not per job,
// so a batch of a hundred writes from one client wakes it once.
void deliver_all(std::vector<std::unique_ptr<Job>> jobs) {
    while (!jobs.empty()) {
        const auto* executor = jobs.front()->executor();
        if (executor == nullptr) {
            jobs.front()->deliver();
            jobs.erase(jobs.begin());
            continue;
        }
        std::vector<std::unique_ptr<Job>> same;
        std::vector<std::unique_ptr<Job>> rest;
        for (auto& job : jobs) {
            const auto* other = job->executor();
            (other != nullptr && *other == *executor ? same : rest).push_back(std::move(job));
        }
        // any_completion_executor cannot be required to be never-blocking, which post
        // needs; dispatch queues all the same, since the writer thread runs no executor.
        auto target = *executor;
        asio::dispatch(target, [same = std::move(same)]() mutable {
            for (auto& job : same) job->deliver();
        });
        jobs = std::move(rest);
    }
}

// A blocking call: the caller waits on the future.
template <class T>
class CallJob final : public Job {
public:
    using Action = std::function<T(Store&, std::int64_t)>;

    CallJob(bool writes, Action action, std::string log_name)
        : writes_(writes), action_(std::move(action)), log_name_(std::move(log_name)) {}

    std::future<T> result() { return promise_.get_future(); }

    bool writes() const override { return writes_; }
    error_code run(Store& store, std::int64_t now) override {
        value_ = action_(store, now);
        return {};
    }
    void complete(error_code error, const std::string& detail) override {
        if (!error) {
            promise_.set_value(std::move(value_));
            return;
        }
        promise_.set_exception(
            std::make_exception_ptr(Error(log_name_ + ": " + (detail.empty() ? error.message() : detail))));
    }
    void deliver() override {}  // the caller waits on the future, which complete() has set

private:
    bool writes_;
    Action action_;
    std::string log_name_;
    T value_{};
    std::promise<T> promise_;
};

}  // namespace

// Group commit: the thread takes everything queued, up to max_batch, and commits the
// writes among it in one transaction, so one sync covers every saga waiting at that moment.
class SqliteSagaLog::Writer {
public:
    explicit Writer(const SqliteLogOptions& options)
        : path_(options.path),
          max_batch_(options.max_batch),
          commit_window_(options.commit_window),
          crash_after_(crash_after_commits()),
          store_(checked_path(options), options.durability),
          thread_([this] { loop(); }) {}

    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    ~Writer() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

    void submit(std::unique_ptr<Job> job) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(job));
        }
        wake_.notify_one();
    }

    template <class T>
    T call(bool writes, typename CallJob<T>::Action action) {
        auto job = std::make_unique<CallJob<T>>(writes, std::move(action), "saga log " + path_.string());
        auto result = job->result();
        submit(std::move(job));
        return result.get();
    }

    std::uint64_t commits() const { return commits_.load(); }
    const std::filesystem::path& path() const { return path_; }

private:
    static const std::filesystem::path& checked_path(const SqliteLogOptions& options) {
        if (options.path.empty()) throw ConfigError("the saga log path is empty");
        if (options.max_batch == 0) throw ConfigError("the saga log's max_batch must be at least 1");
        return options.path;
    }

    void loop() {
        std::vector<std::unique_ptr<Job>> batch;
        for (;;) {
            batch.clear();
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                // Stopping only once the queue is empty: the destructor drains it.
                if (queue_.empty()) return;
                // With other sagas running, waiting a moment lets their writes join this
                // commit: a commit's fixed cost (locks, WAL frames) dwarfs a record's. The
                // wait ends once half the open sagas have a write queued; a lone saga never
                // waits.
                const auto enough = std::min(max_batch_, std::max<std::size_t>(2, store_.running() / 2));
                if (store_.running() > 1 && queue_.size() < enough && commit_window_.count() > 0) {
                    wake_.wait_for(lock, commit_window_, [&] { return stopping_ || queue_.size() >= enough; });
                }
                while (!queue_.empty() && batch.size() < max_batch_) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            try {
                process(batch);
            } catch (const std::exception& error) {
                spdlog::critical("saga log {}: {}", path_.string(), error.what());
            }
            deliver_all(std::move(batch));
        }
    }

    void process(const std::vector<std::unique_ptr<Job>>& batch) {
        const std::int64_t now = now_ms();
        std::vector<Job*> writes;
        std::vector<Job*> reads;
        for (const auto& job : batch) (job->writes() ? writes : reads).push_back(job.get());
        if (!writes.empty()) commit(writes, now);
        for (Job* read : reads) {
            try {
                read->complete(read->run(store_, now), {});
            } catch (const SqliteError& error) {
                read->complete(error.error(), error.what());
            } catch (const std::exception& error) {
                read->complete(error_code(SQLITE_ERROR, sqlite_category()), error.what());
            }
        }
    }

    void commit(const std::vector<Job*>& jobs, std::int64_t now) {
        std::vector<error_code> results(jobs.size());
        error_code failure;
        std::string detail;
        try {
            store_.begin_transaction();
            for (std::size_t i = 0; i < jobs.size(); ++i) results[i] = jobs[i]->run(store_, now);
            store_.commit_transaction();
        } catch (const SqliteError& error) {
            failure = error.error();
            detail = error.what();
        } catch (const std::exception& error) {
            failure = error_code(SQLITE_ERROR, sqlite_category());
            detail = error.what();
        }
        if (failure) {
            store_.rollback_transaction();
            spdlog::error("saga log {}: a batch of {} writes failed: {}", path_.string(), jobs.size(), detail);
            for (Job* job : jobs) job->complete(failure, detail);
            return;
        }
        const std::uint64_t committed = commits_.fetch_add(1) + 1;
        if (committed == crash_after_) std::_Exit(crash_exit_status);
        for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i]->complete(results[i], {});
    }

    std::filesystem::path path_;
    std::size_t max_batch_;
    std::chrono::microseconds commit_window_;
    std::uint64_t crash_after_;
    Store store_;
    std::atomic<std::uint64_t> commits_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Job>> queue_;
    bool stopping_ = false;
    std::thread thread_;  // last: it starts once everything above is ready
};

SqliteSagaLog::SqliteSagaLog(const SqliteLogOptions& options) : writer_(std::make_unique<Writer>(options)) {}

SqliteSagaLog::~SqliteSagaLog() = default;

void SqliteSagaLog::begin(Operation operation, std::string group, std::vector<std::string> hosts, Owner owner,
                          asio::any_completion_handler<void(error_code, BeginResult)> handler) {
    writer_->submit(std::make_unique<BeginJob>(operation, std::move(group), std::move(hosts), std::move(owner),
                                               std::move(handler)));
}

void SqliteSagaLog::record(SagaId saga, std::size_t host, Fact fact,
                           asio::any_completion_handler<void(error_code)> handler) {
    writer_->submit(std::make_unique<WriteJob>(
        [saga, host, fact](Store& store, std::int64_t now) { return store.record(saga, host, fact, now); },
        std::move(handler)));
}

void SqliteSagaLog::set_phase(SagaId saga, Phase phase, asio::any_completion_handler<void(error_code)> handler) {
    writer_->submit(std::make_unique<WriteJob>(
        [saga, phase](Store& store, std::int64_t now) { return store.set_phase(saga, phase, now); },
        std::move(handler)));
}

void SqliteSagaLog::end(SagaId saga, SagaOutcome outcome, std::vector<HostState> host_states,
                        asio::any_completion_handler<void(error_code)> handler) {
    writer_->submit(std::make_unique<WriteJob>(
        [saga, outcome, states = std::move(host_states)](Store& store, std::int64_t now) {
            return store.end(saga, outcome, states, now);
        },
        std::move(handler)));
}

bool SqliteSagaLog::adopt(SagaId saga, Owner owner) {
    return writer_->call<bool>(true, [saga, owner = std::move(owner)](Store& store, std::int64_t now) {
        return store.adopt(saga, owner, now);
    });
}

std::vector<SagaRecord> SqliteSagaLog::open_sagas() {
    return writer_->call<std::vector<SagaRecord>>(false, [](Store& store, std::int64_t) { return store.open_sagas(); });
}

std::vector<SagaRecord> SqliteSagaLog::recent_sagas(std::size_t limit) {
    return writer_->call<std::vector<SagaRecord>>(
        false, [limit](Store& store, std::int64_t) { return store.recent_sagas(limit); });
}

std::optional<SagaRecord> SqliteSagaLog::find(SagaId saga) {
    return writer_->call<std::optional<SagaRecord>>(false,
                                                    [saga](Store& store, std::int64_t) { return store.find(saga); });
}

std::uint64_t SqliteSagaLog::commits() const {
    return writer_->commits();
}

const std::filesystem::path& SqliteSagaLog::path() const {
    return writer_->path();
}

std::unique_ptr<SagaLog> open_sqlite_saga_log(const SqliteLogOptions& options) {
    return std::make_unique<SqliteSagaLog>(options);
}

}  // namespace cluster_client::log
