// SPDX-License-Identifier: MIT
#include "log/postgres/store.hpp"

#include <unistd.h>

#include <algorithm>

#include <spdlog/logger.h>

#include "log/codec.hpp"
#include "log/postgres/schema.hpp"
#include "saga/owner.hpp"

namespace cluster_client::log::postgres {

namespace {

bool leaves_open(SagaOutcome outcome) {
    SagaReport report;
    report.outcome = outcome;
    return report.left_open();
}

// A PostgreSQL array literal of text values.
std::string text_array(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (const auto& item : items) {
        if (literal.size() > 1) literal += ',';
        literal += '"';
        for (const char c : item) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    return literal + "}";
}

// A PostgreSQL array literal of numbers or booleans, already in their text form.
std::string plain_array(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (const auto& item : items) {
        if (literal.size() > 1) literal += ',';
        literal += item;
    }
    return literal + "}";
}

std::string this_host() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "?";
    return name;
}

constexpr const char* saga_columns =
    "SELECT s.id, s.operation, s.group_id, s.hosts, s.phase, s.is_open, s.outcome, s.host_states, s.owner_pid, "
    "s.owner_start_time, (extract(epoch FROM s.started_at) * 1000)::bigint, "
    "(extract(epoch FROM s.updated_at) * 1000)::bigint, s.lease, "
    "EXISTS (SELECT 1 FROM @.leases l WHERE l.id = s.lease AND l.expires_at > clock_timestamp()) FROM @.sagas s ";

}  // namespace

Store::Store(const Options& options, Fence& fence)
    : options_(options),
      fence_(fence),
      connection_(options.url),
      holder_(this_host() + " pid " + std::to_string(::getpid())),
      owner_(saga::this_process()) {
    prepare_schema(connection_, options_.schema);
    prepare_statements();
    take_lease();
}

Store::~Store() {
    if (lease_ == 0) return;
    try {
        // After a restart of the server the connection is gone, but the lease is not.
        if (!connection_.healthy()) {
            connection_.reconnect();
            prepare_statements();
        }
        const std::string lease = std::to_string(lease_);
        connection_.run_prepared("release_lease", {lease.c_str()});
    } catch (const PgError& error) {
        options_.logger->warn("{}", error.what());
    }
}

void Store::prepare_statements() {
    const std::string s = connection_.identifier(options_.schema);
    auto in_schema = [&](std::string sql) {
        for (auto at = sql.find('@'); at != std::string::npos; at = sql.find('@', at + s.size())) sql.replace(at, 1, s);
        return sql;
    };
    // The same plan for every batch: a plan built for each call's arrays costs more than the
    // rows it writes, and a batch's statements have one good plan whatever their sizes.
    connection_.exec("SET plan_cache_mode = force_generic_plan");
    // PostgreSQL frees a statement's executor memory when it ends, and glibc gives the top of
    // the heap back to the kernel once more than 128 KiB is free there. In a session that
    // never freed a large block, every statement of a batch that scans an index grew and
    // shrank the backend's heap (a 27 KiB scan state each), and each shrink flushes the TLB
    // of every CPU: a sixth of a backend's time under three coordinators. Freeing one large
    // block raises glibc's thresholds for the session, so the heap keeps its size.
    connection_.exec("SELECT length(repeat('x', 4 * 1024 * 1024))");
    // Old leases with nothing left to take over are cleared when a lease is taken.
    connection_.prepare("take_lease",
                        in_schema("WITH cleared AS (DELETE FROM @.leases l "
                                  "WHERE l.expires_at < clock_timestamp() - interval '1 day' "
                                  "AND NOT EXISTS (SELECT 1 FROM @.sagas s WHERE s.is_open "
                                  "AND s.lease = l.id)) "
                                  "INSERT INTO @.leases (holder, expires_at) "
                                  "VALUES ($1, clock_timestamp() + $2::bigint * interval '1 millisecond') "
                                  "RETURNING id, 1 + (SELECT count(*) FROM @.leases "
                                  "WHERE expires_at > clock_timestamp())"));
    // The statement's snapshot holds the lease's row as it was, still live: it is counted.
    connection_.prepare("renew_lease", in_schema("UPDATE @.leases SET expires_at = clock_timestamp() + "
                                                 "$2::bigint * interval '1 millisecond' "
                                                 "WHERE id = $1 AND expires_at > clock_timestamp() "
                                                 "RETURNING (SELECT count(*) FROM @.leases "
                                                 "WHERE expires_at > clock_timestamp())"));
    connection_.prepare("release_lease", in_schema("DELETE FROM @.leases WHERE id = $1"));
    connection_.prepare("commit_batch",
                        in_schema("SELECT slot, saga, holder, holder_live FROM @.commit_batch($1, $2, $3, $4, $5, $6, "
                                  "$7, $8, $9, $10, $11, $12, $13, $14, $15) ORDER BY slot"));
    connection_.prepare("adopt_saga", in_schema("SELECT @.adopt_saga($1, $2, $3, $4)"));
    connection_.prepare("find", in_schema(std::string(saga_columns) + "WHERE s.id = $1"));
    connection_.prepare("open_sagas", in_schema(std::string(saga_columns) + "WHERE s.is_open ORDER BY s.id"));
    connection_.prepare("recent_sagas",
                        in_schema(std::string(saga_columns) + "ORDER BY s.updated_at DESC, s.id DESC LIMIT $1"));
    connection_.prepare("prune",
                        in_schema("WITH doomed AS (SELECT id FROM @.sagas WHERE NOT is_open "
                                  "AND updated_at < to_timestamp($1::bigint / 1000.0) ORDER BY id LIMIT $2), "
                                  "gone_facts AS (DELETE FROM @.facts WHERE saga IN (SELECT id FROM doomed)), "
                                  "gone AS (DELETE FROM @.sagas WHERE id IN (SELECT id FROM doomed) RETURNING 1) "
                                  "SELECT count(*) FROM gone"));
    connection_.prepare("facts_of", in_schema("SELECT saga, host, fact FROM @.facts WHERE saga = ANY ($1::bigint[]) "
                                              "ORDER BY saga, seq"));
}

void Store::take_lease() {
    const std::string ttl = std::to_string(options_.lease_ttl.count());
    const auto sent = Fence::Clock::now();
    const auto taken = connection_.run_prepared("take_lease", {holder_.c_str(), ttl.c_str()});
    lease_ = taken.integer(0, 0);
    coordinators_ = static_cast<std::size_t>(taken.integer(0, 1));
    fence_.renewed(sent + options_.lease_ttl);
    options_.logger->info("{}: coordinator lease {} taken", shown_url(), lease_);
}

void Store::ensure_ready() {
    if (!connection_.healthy()) {
        connection_.reconnect();
        prepare_statements();
    }
    if (lease_ == 0) take_lease();
}

void Store::renew_lease() {
    ensure_ready();
    const std::string lease = std::to_string(lease_);
    const std::string ttl = std::to_string(options_.lease_ttl.count());
    const auto sent = Fence::Clock::now();
    const auto renewed = connection_.run_prepared("renew_lease", {lease.c_str(), ttl.c_str()});
    if (renewed.rows() == 1) {
        coordinators_ = static_cast<std::size_t>(renewed.integer(0, 0));
        fence_.renewed(sent + options_.lease_ttl);
        return;
    }
    lose_lease();
    take_lease();
}

void Store::lose_lease() {
    if (lease_ != 0) {
        options_.logger->warn("{}: coordinator lease {} expired; its {} open sagas are left for another coordinator",
                              shown_url(), lease_, running_.size());
    }
    lease_ = 0;
    running_.clear();
    fence_.lost();
}

void Store::begin_transaction() {
    running_undo_.clear();
    begins_.clear();
    fact_sagas_.clear();
    fact_hosts_.clear();
    fact_names_.clear();
    phase_sagas_.clear();
    phase_names_.clear();
    ends_.clear();
    begun_.clear();
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

std::size_t Store::stage_begin(Operation operation, const std::string& group, const std::vector<std::string>& hosts,
                               const Owner&) {
    const bool repeated =
        std::any_of(begins_.begin(), begins_.end(), [&](const StagedBegin& begin) { return begin.group == group; });
    begins_.push_back({std::string(to_string(operation)), group, encode_hosts(hosts), hosts.size(), repeated});
    return begins_.size() - 1;
}

bool Store::record(SagaId saga, std::size_t host, saga::Fact fact) {
    const auto running = running_.find(saga);
    if (running == running_.end() || host >= running->second) return false;
    fact_sagas_.push_back(std::to_string(saga));
    fact_hosts_.push_back(std::to_string(host));
    fact_names_.emplace_back(to_string(fact));
    return true;
}

bool Store::set_phase(SagaId saga, saga::Phase phase) {
    if (!running_.contains(saga)) return false;
    phase_sagas_.push_back(std::to_string(saga));
    phase_names_.emplace_back(to_string(phase));
    return true;
}

bool Store::end(SagaId saga, SagaOutcome outcome, const std::vector<HostState>& states) {
    const auto running = running_.find(saga);
    if (running == running_.end()) return false;
    if (!states.empty() && states.size() != running->second) return false;
    const bool stays_open = leaves_open(outcome);
    ends_.push_back({saga, std::string(to_string(outcome)), encode_states(states), stays_open});
    // Ended here, even when it stays open for recovery: it no longer runs.
    set_running(saga, std::nullopt);
    return true;
}

void Store::commit() {
    std::vector<std::string> end_sagas, end_outcomes, end_states, end_open;
    for (const auto& ending : ends_) {
        end_sagas.push_back(std::to_string(ending.saga));
        end_outcomes.push_back(ending.outcome);
        end_states.push_back(ending.states);
        end_open.emplace_back(ending.stays_open ? "t" : "f");
    }
    std::vector<std::string> operations, groups, hosts;
    std::vector<std::size_t> slots;  // the slot of each begin sent
    for (std::size_t slot = 0; slot < begins_.size(); ++slot) {
        const auto& begin = begins_[slot];
        if (begin.repeated) continue;
        operations.push_back(begin.operation);
        groups.push_back(begin.group);
        hosts.push_back(begin.hosts);
        slots.push_back(slot);
    }
    const std::array<std::string, 15> params{
        std::to_string(lease_),   std::to_string(owner_.pid), owner_.start_time,         plain_array(fact_sagas_),
        plain_array(fact_hosts_), text_array(fact_names_),    plain_array(phase_sagas_), text_array(phase_names_),
        plain_array(end_sagas),   text_array(end_outcomes),   text_array(end_states),    plain_array(end_open),
        text_array(operations),   text_array(groups),         text_array(hosts)};
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param.c_str());
    const auto rows = connection_.run_prepared("commit_batch", values);

    // Committed: the results of the begins, in slot order, and the fence follows.
    for (const auto& ending : ends_) fence_.release(ending.saga);
    begun_.assign(begins_.size(), BeginResult{BeginResult::Kind::busy, 0});
    for (int row = 0; row < rows.rows(); ++row) {
        const auto sent = static_cast<std::size_t>(rows.integer(row, 0) - 1);
        if (sent >= slots.size() || rows.is_null(row, 1)) continue;  // held by a saga begun at this moment: busy
        const auto slot = slots[sent];
        const SagaId saga = rows.integer(row, 1);
        auto& result = begun_[slot];
        result.saga = saga;
        if (rows.is_null(row, 2)) {
            result.kind = BeginResult::Kind::started;
            running_[saga] = begins_[slot].host_count;
            fence_.hold(saga);
        } else if (rows.integer(row, 2) == lease_) {
            result.kind = running_.contains(saga) ? BeginResult::Kind::busy : BeginResult::Kind::needs_recovery;
        } else {
            result.kind = rows.boolean(row, 3) ? BeginResult::Kind::busy : BeginResult::Kind::needs_recovery;
        }
    }
    running_undo_.clear();
}

void Store::rollback() {
    for (auto undo = running_undo_.rbegin(); undo != running_undo_.rend(); ++undo) {
        if (undo->second) {
            running_[undo->first] = *undo->second;
        } else {
            running_.erase(undo->first);
        }
    }
    running_undo_.clear();
}

bool Store::adopt(SagaId saga, const Owner&) {
    ensure_ready();
    const std::string id = std::to_string(saga);
    const std::string lease = std::to_string(lease_);
    const std::string pid = std::to_string(owner_.pid);
    const auto adopted =
        connection_.run_prepared("adopt_saga", {id.c_str(), lease.c_str(), pid.c_str(), owner_.start_time.c_str()});
    const auto hosts = adopted.integer(0, 0);
    if (hosts < 0) return false;
    running_[saga] = static_cast<std::size_t>(hosts);
    fence_.hold(saga);
    return true;
}

std::vector<SagaRecord> Store::read_sagas(const Result& rows) {
    std::vector<SagaRecord> sagas;
    std::vector<std::string> ids;
    std::unordered_map<SagaId, std::size_t> index;
    for (int row = 0; row < rows.rows(); ++row) {
        SagaRecord saga;
        saga.id = rows.integer(row, 0);
        saga.operation = decode_operation(saga.id, rows.text(row, 1));
        saga.group = rows.text(row, 2);
        saga.hosts = decode_hosts(saga.id, rows.text(row, 3));
        saga.phase = decode_phase(saga.id, rows.text(row, 4));
        saga.open = rows.boolean(row, 5);
        if (!rows.is_null(row, 6)) saga.outcome = decode_outcome(saga.id, rows.text(row, 6));
        saga.host_states = decode_states(saga.id, rows.text(row, 7));
        saga.owner = {rows.integer(row, 8), rows.text(row, 9)};
        saga.started_at = from_ms(rows.integer(row, 10));
        saga.updated_at = from_ms(rows.integer(row, 11));
        const bool ours = rows.integer(row, 12) == lease_;
        saga.held_elsewhere = saga.open && !ours && rows.boolean(row, 13);
        saga.facts.resize(saga.hosts.size());
        index[saga.id] = sagas.size();
        ids.push_back(std::to_string(saga.id));
        sagas.push_back(std::move(saga));
    }
    if (sagas.empty()) return sagas;
    const std::string list = plain_array(ids);
    const auto facts = connection_.run_prepared("facts_of", {list.c_str()});
    for (int row = 0; row < facts.rows(); ++row) {
        auto& saga = sagas[index.at(facts.integer(row, 0))];
        const auto host = facts.integer(row, 1);
        if (host < 0 || host >= static_cast<long long>(saga.facts.size())) corrupt_row(saga.id, "a fact names no host");
        saga.facts[static_cast<std::size_t>(host)].push_back(decode_fact(saga.id, facts.text(row, 2)));
    }
    return sagas;
}

std::optional<SagaRecord> Store::find(SagaId saga) {
    ensure_ready();
    const std::string id = std::to_string(saga);
    auto sagas = read_sagas(connection_.run_prepared("find", {id.c_str()}));
    if (sagas.empty()) return std::nullopt;
    return std::move(sagas.front());
}

std::vector<SagaRecord> Store::open_sagas() {
    ensure_ready();
    return read_sagas(connection_.run_prepared("open_sagas", {}));
}

std::size_t Store::prune(std::int64_t before, std::size_t limit) {
    ensure_ready();
    const std::string cutoff = std::to_string(before);
    const std::string most = std::to_string(limit);
    const auto pruned = connection_.run_prepared("prune", {cutoff.c_str(), most.c_str()});
    return static_cast<std::size_t>(pruned.integer(0, 0));
}

std::vector<SagaRecord> Store::recent_sagas(std::size_t limit) {
    ensure_ready();
    const std::string count = std::to_string(limit);
    return read_sagas(connection_.run_prepared("recent_sagas", {count.c_str()}));
}

}  // namespace cluster_client::log::postgres
