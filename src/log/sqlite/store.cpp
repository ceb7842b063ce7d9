// SPDX-License-Identifier: MIT
#include "log/sqlite/store.hpp"

#include <string_view>

#include <cluster_client/errors.hpp>

#include "log/codec.hpp"
#include "log/sqlite/schema.hpp"
#include "saga/owner.hpp"

namespace cluster_client::log::sqlite {

namespace {

bool leaves_open(SagaOutcome outcome) {
    SagaReport report;
    report.outcome = outcome;
    return report.left_open();
}

std::string select_sagas(std::string_view rest) {
    return "SELECT id, operation, group_id, hosts, phase, is_open, outcome, host_states, owner_pid, "
           "owner_start_time, started_at, updated_at FROM sagas " +
           std::string(rest);
}

}  // namespace

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
          facts_of(db, "SELECT host, fact FROM facts WHERE saga = ?1 ORDER BY seq"),
          // The same sagas for both: the oldest closed ones, by id, within one transaction.
          prune_facts(db,
                      "DELETE FROM facts WHERE saga IN (SELECT id FROM sagas WHERE NOT is_open AND updated_at < ?1 "
                      "ORDER BY id LIMIT ?2)"),
          prune_sagas(db,
                      "DELETE FROM sagas WHERE id IN (SELECT id FROM sagas WHERE NOT is_open AND updated_at < ?1 "
                      "ORDER BY id LIMIT ?2)") {}

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
    Statement prune_facts;
    Statement prune_sagas;
};

Store::Store(const std::filesystem::path& path, Durability durability)
    : db_(open_log_file(path, durability)), self_(saga::this_process()) {
    try {
        statements_ = std::make_unique<Statements>(db_.get());
    } catch (const SqliteError& error) {
        reject(db_.get());
        throw ConfigError(describe(path, SQLITE_CORRUPT, error.what()));
    }
}

Store::~Store() = default;

void Store::begin_transaction() {
    running_undo_.clear();
    statements_->begin.execute();
}

void Store::commit_transaction() {
    statements_->commit.execute();
}

void Store::rollback_transaction() {
    // Some failures (a full disk, an I/O error) have rolled back already.
    if (sqlite3_get_autocommit(db_.get()) == 0) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto undo = running_undo_.rbegin(); undo != running_undo_.rend(); ++undo) {
        if (undo->second) {
            running_[undo->first] = *undo->second;
        } else {
            running_.erase(undo->first);
        }
    }
    running_undo_.clear();
}

void Store::set_running(SagaId saga, std::optional<std::size_t> hosts) {
    const auto found = running_.find(saga);
    running_undo_.emplace_back(saga, found == running_.end() ? std::nullopt : std::optional(found->second));
    if (hosts) {
        running_[saga] = *hosts;
    } else if (found != running_.end()) {
        running_.erase(found);
    }
}

BeginResult Store::begin(Operation operation, const std::string& group, const std::vector<std::string>& hosts,
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
            return {is_running(holder) ? busy : needs_recovery, held};
        }
    }
    s.insert_saga.execute(to_string(operation), group, encode_hosts(hosts), owner.pid, owner.start_time, now);
    const SagaId saga = sqlite3_last_insert_rowid(db_.get());
    s.put_lease.execute(group, saga, owner.pid, owner.start_time);
    set_running(saga, hosts.size());
    return {started, saga};
}

// A fact is the hottest write: for a saga this process runs, it is checked in memory
// and leaves updated_at alone; for any other it is checked against the file.
bool Store::record(SagaId saga, std::size_t host, Fact fact, std::int64_t now) {
    auto& s = *statements_;
    if (const auto running = running_.find(saga); running != running_.end()) {
        if (host >= running->second) return false;
    } else if (s.touch_for_fact.execute(now, saga, to_int64(host)) == 0) {
        return false;
    }
    s.insert_fact.execute(saga, to_int64(host), to_string(fact));
    return true;
}

bool Store::set_phase(SagaId saga, Phase phase, std::int64_t now) {
    return statements_->set_phase.execute(to_string(phase), now, saga) != 0;
}

bool Store::end(SagaId saga, SagaOutcome outcome, const std::vector<HostState>& states, std::int64_t now) {
    auto& s = *statements_;
    const bool stays_open = leaves_open(outcome);
    const std::int64_t open_flag = stays_open ? 1 : 0;
    const std::int64_t state_count = to_int64(states.size());
    if (s.end_saga.execute(to_string(outcome), encode_states(states), open_flag, now, saga, state_count) == 0) {
        return false;
    }
    if (!stays_open) s.free_lease.execute(saga);
    set_running(saga, std::nullopt);
    return true;
}

bool Store::adopt(SagaId saga, const Owner& owner, std::int64_t now) {
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
            if (holder != owner && is_running(holder)) return false;
        }
    }
    s.set_owner.execute(owner.pid, owner.start_time, now, saga);
    s.put_lease.execute(group, saga, owner.pid, owner.start_time);
    set_running(saga, hosts);
    return true;
}

std::size_t Store::prune(std::int64_t before, std::size_t limit) {
    auto& s = *statements_;
    s.prune_facts.execute(before, to_int64(limit));
    return static_cast<std::size_t>(s.prune_sagas.execute(before, to_int64(limit)));
}

std::optional<SagaRecord> Store::find(SagaId saga) {
    std::optional<SagaRecord> found;
    {
        Rows rows = statements_->saga_by_id.query(saga);
        if (rows.next()) found = read_saga(rows);
    }
    if (found) read_facts(*found);
    return found;
}

std::vector<SagaRecord> Store::open_sagas() {
    return read_sagas(statements_->open_sagas.query());
}

std::vector<SagaRecord> Store::recent_sagas(std::size_t limit) {
    return read_sagas(statements_->recent_sagas.query(to_int64(limit)));
}

SagaRecord Store::read_saga(const Rows& row) const {
    SagaRecord saga;
    saga.id = row.integer(0);
    saga.operation = decode_operation(saga.id, row.text(1));
    saga.group = row.text(2);
    saga.hosts = decode_hosts(saga.id, row.text(3));
    saga.phase = decode_phase(saga.id, row.text(4));
    saga.open = row.integer(5) != 0;
    if (!row.is_null(6)) saga.outcome = decode_outcome(saga.id, row.text(6));
    saga.host_states = decode_states(saga.id, row.text(7));
    saga.owner = {row.integer(8), row.text(9)};
    saga.held_elsewhere = saga.open && saga.owner != self_ && is_running(saga.owner);
    saga.started_at = from_ms(row.integer(10));
    saga.updated_at = from_ms(row.integer(11));
    saga.facts.resize(saga.hosts.size());
    return saga;
}

void Store::read_facts(SagaRecord& saga) {
    Rows rows = statements_->facts_of.query(saga.id);
    while (rows.next()) {
        const std::int64_t host = rows.integer(0);
        if (host < 0 || host >= to_int64(saga.facts.size())) corrupt_row(saga.id, "a fact names no host");
        saga.facts[static_cast<std::size_t>(host)].push_back(decode_fact(saga.id, rows.text(1)));
    }
}

// The saga rows first, then their facts: a statement is never stepped while another
// run of itself is pending.
std::vector<SagaRecord> Store::read_sagas(Rows rows) {
    std::vector<SagaRecord> sagas;
    {
        Rows pending = std::move(rows);
        while (pending.next()) sagas.push_back(read_saga(pending));
    }
    for (auto& saga : sagas) read_facts(saga);
    return sagas;
}

}  // namespace cluster_client::log::sqlite
