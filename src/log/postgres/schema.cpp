// SPDX-License-Identifier: MIT
#include "log/postgres/schema.hpp"

#include <array>
#include <string_view>

#include <cluster_client/errors.hpp>

namespace cluster_client::log::postgres {

namespace {

// The log's tables and functions; `@` stands for the quoted schema name. migrations[v]
// takes the schema from version v to v + 1.
//
// Fencing (docs/fleet.md): every write of a coordinator runs in commit_batch or adopt_saga,
// which first take a shared advisory lock on its lease and refuse an expired lease (SQLSTATE
// CC001). Taking a saga over takes that lock exclusively, which waits for any batch of the
// old owner still in flight, then deletes the old owner's expired lease row: after that,
// the old owner can write nothing more.
// Groups are locked in one order (advisory locks sorted by key), so two coordinators'
// batches never deadlock on each other.
constexpr std::array<std::string_view, schema_version> migrations = {
    R"sql(
CREATE TABLE @.leases (
    id bigserial PRIMARY KEY,
    holder text NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL
);
CREATE TABLE @.sagas (
    id bigserial PRIMARY KEY,
    operation text NOT NULL,
    group_id text NOT NULL,
    hosts text NOT NULL,
    phase text NOT NULL DEFAULT 'forward',
    is_open boolean NOT NULL DEFAULT true,
    outcome text,
    host_states text NOT NULL DEFAULT '[]',
    lease bigint NOT NULL,
    owner_pid bigint NOT NULL,
    owner_start_time text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX sagas_one_open_per_group ON @.sagas (group_id) WHERE is_open;
CREATE INDEX sagas_open ON @.sagas (id) WHERE is_open;
CREATE INDEX sagas_updated ON @.sagas (updated_at);
CREATE TABLE @.facts (
    saga bigint NOT NULL,
    seq bigserial NOT NULL,
    host integer NOT NULL,
    fact text NOT NULL,
    PRIMARY KEY (saga, seq)
);

-- The lease is held by a shared advisory lock on its id, taken before the lease row is
-- read: an in-memory lock, where a row lock would write the row on every batch.
CREATE FUNCTION @.hold_lease(lease_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('@ lease'), hashint8(lease_id));
    PERFORM 1 FROM @.leases WHERE id = lease_id AND expires_at > clock_timestamp();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the coordinator''s lease % has expired', lease_id USING ERRCODE = 'CC001';
    END IF;
END $$;

-- PL/pgSQL keeps its plans for the session; an SQL function would plan each call.
CREATE FUNCTION @.lock_groups(groups text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count(pg_advisory_xact_lock(hashtext('@'), key))
        FROM (SELECT DISTINCT hashtext(g) AS key FROM unnest(groups) AS g ORDER BY 1) AS keys;
END $$;

-- One statement per kind of write, each skipped when the batch has none of it: a
-- statement's executor start-up is most of a small batch's cost.
CREATE FUNCTION @.commit_batch(lease_id bigint, pid bigint, start_time text,
                               fact_sagas bigint[], fact_hosts integer[], fact_names text[],
                               phase_sagas bigint[], phase_names text[],
                               end_sagas bigint[], end_outcomes text[], end_states text[], end_open boolean[],
                               begin_operations text[], begin_groups text[], begin_hosts text[])
RETURNS TABLE (slot integer, saga bigint, holder bigint, holder_live boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    new_ids bigint[];
BEGIN
    PERFORM @.hold_lease(lease_id);
    IF cardinality(end_sagas) > 0 THEN
        PERFORM @.lock_groups(begin_groups || ARRAY(SELECT s.group_id FROM @.sagas s WHERE s.id = ANY (end_sagas)));
    ELSIF cardinality(begin_groups) > 0 THEN
        PERFORM @.lock_groups(begin_groups);
    END IF;
    IF cardinality(fact_sagas) > 0 THEN
        INSERT INTO @.facts (saga, host, fact) SELECT * FROM unnest(fact_sagas, fact_hosts, fact_names);
    END IF;
    IF cardinality(phase_sagas) > 0 THEN
        UPDATE @.sagas s SET phase = p.phase, updated_at = clock_timestamp()
            FROM unnest(phase_sagas, phase_names) AS p (id, phase) WHERE s.id = p.id;
    END IF;
    IF cardinality(end_sagas) > 0 THEN
        UPDATE @.sagas s SET outcome = e.outcome, host_states = e.states, is_open = e.open,
                             updated_at = clock_timestamp()
            FROM unnest(end_sagas, end_outcomes, end_states, end_open) AS e (id, outcome, states, open)
            WHERE s.id = e.id;
    END IF;
    IF cardinality(begin_groups) > 0 THEN
        -- The groups of one batch are distinct (the coordinator admits one saga per group).
        WITH inserted AS (
            INSERT INTO @.sagas (operation, group_id, hosts, lease, owner_pid, owner_start_time)
                SELECT b.operation, b.group_id, b.hosts, lease_id, pid, start_time
                    FROM unnest(begin_operations, begin_groups, begin_hosts) AS b (operation, group_id, hosts)
                ON CONFLICT (group_id) WHERE is_open DO NOTHING
                RETURNING id)
        SELECT coalesce(array_agg(id), '{}') INTO new_ids FROM inserted;
        RETURN QUERY
            SELECT b.n::integer, s.id,
                   CASE WHEN s.id = ANY (new_ids) THEN NULL ELSE s.lease END,
                   CASE WHEN s.id = ANY (new_ids) THEN NULL
                        ELSE EXISTS (SELECT 1 FROM @.leases l WHERE l.id = s.lease AND l.expires_at > clock_timestamp())
                   END
                FROM unnest(begin_groups) WITH ORDINALITY AS b (group_id, n)
                LEFT JOIN @.sagas s ON s.group_id = b.group_id AND s.is_open;
    END IF;
END $$;

CREATE FUNCTION @.adopt_saga(saga_id bigint, lease_id bigint, pid bigint, start_time text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    target record;
BEGIN
    PERFORM @.hold_lease(lease_id);
    SELECT s.lease, s.group_id, json_array_length(s.hosts::json) AS hosts INTO target
        FROM @.sagas s WHERE s.id = saga_id AND s.is_open;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    IF target.lease <> lease_id THEN
        IF EXISTS (SELECT 1 FROM @.leases WHERE id = target.lease AND expires_at > clock_timestamp()) THEN
            RETURN -1;
        END IF;
        -- Waits for a batch of the old owner still in flight; after it, the old owner is fenced.
        PERFORM pg_advisory_xact_lock(hashtext('@ lease'), hashint8(target.lease));
        DELETE FROM @.leases WHERE id = target.lease AND expires_at <= clock_timestamp();
        IF EXISTS (SELECT 1 FROM @.leases WHERE id = target.lease) THEN
            RETURN -1;
        END IF;
    END IF;
    PERFORM @.lock_groups(ARRAY[target.group_id]);
    UPDATE @.sagas SET lease = lease_id, owner_pid = pid, owner_start_time = start_time, updated_at = clock_timestamp()
        WHERE id = saga_id AND is_open;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    RETURN target.hosts;
END $$;
)sql",
};

std::string with_schema(std::string_view sql, const std::string& quoted) {
    std::string text;
    for (const char c : sql) {
        if (c == '@') {
            text += quoted;
        } else {
            text += c;
        }
    }
    return text;
}

}  // namespace

void prepare_schema(Connection& connection, const std::string& schema) {
    const std::string quoted = connection.identifier(schema);
    connection.exec("BEGIN");
    try {
        // One coordinator at a time creates or migrates a schema of this name.
        const std::string key = schema;
        connection.query("SELECT pg_advisory_xact_lock(hashtext('cluster-client schema'), hashtext($1))",
                         {key.c_str()});
        connection.exec("CREATE SCHEMA IF NOT EXISTS " + quoted);
        connection.exec("CREATE TABLE IF NOT EXISTS " + quoted + ".meta (key text PRIMARY KEY, value text NOT NULL)");
        const auto found = connection.query("SELECT value FROM " + quoted + ".meta WHERE key = 'schema_version'");
        const int version = found.rows() == 0 ? 0 : std::atoi(found.text(0, 0).c_str());
        if (version > schema_version) {
            throw SagaLogUnavailable("saga log " + connection.shown_url() + " (schema " + schema +
                                     ") was written by a newer version (schema version " + std::to_string(version) +
                                     ", this program knows " + std::to_string(schema_version) + ")");
        }
        for (auto step = static_cast<std::size_t>(version); step < migrations.size(); ++step) {
            connection.exec(with_schema(migrations[step], quoted));
        }
        if (version < schema_version) {
            const std::string value = std::to_string(schema_version);
            connection.query("INSERT INTO " + quoted +
                                 ".meta (key, value) VALUES ('schema_version', $1) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             {value.c_str()});
        }
        connection.exec("COMMIT");
    } catch (...) {
        if (connection.healthy()) {
            try {
                connection.exec("ROLLBACK");
            } catch (const PgError&) {
            }
        }
        throw;
    }
}

}  // namespace cluster_client::log::postgres
