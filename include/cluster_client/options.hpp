// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <cluster_client/enum_names.hpp>

namespace spdlog {
class logger;
}  // namespace spdlog

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace cluster_client {

/// The logger a client uses unless told otherwise: warnings and errors to stderr, as
/// "cluster_client: [warning] ..." lines. It is not in spdlog's registry, so the
/// application's default logger stays its own; its level may be changed.
std::shared_ptr<spdlog::logger> default_logger();

/// How a saga decides whether a group on a node is its own (docs/design.md, "Ownership").
enum class Ownership {
    strict,  ///< read before creating: never claims a group that was there before
    fast,    ///< skip the read before a create (deletes always read first); docs/sagas.md
             ///< gives its one ambiguous case
};

constexpr auto enum_names(Ownership) {
    return std::to_array<EnumName<Ownership>>({{Ownership::strict, "strict"}, {Ownership::fast, "fast"}});
}

/// When and how often a failed request is tried again. Defaults suit a LAN cluster.
struct RetryOptions {
    /// Default 5: a flaky node gets several chances, a dead one costs little time.
    int max_attempts = 5;
    /// Default 20ms: a LAN round trip is well under a millisecond.
    std::chrono::milliseconds initial_backoff{20};
    /// Default 2.0: exponential backoff, as tenacity's wait_exponential.
    double multiplier = 2.0;
    /// Default 1s: no single wait grows past this.
    std::chrono::milliseconds max_backoff{1000};
    /// Default true: full jitter (delay drawn uniformly in [0, backoff]) spreads retries.
    bool jitter = true;
    /// Default 2s: one request (connect, send, receive) may take this long.
    std::chrono::milliseconds attempt_timeout{2000};
    /// Default 15s: all attempts of one forward step (one node's part of a saga) end by then,
    /// whatever the node does.
    std::chrono::milliseconds deadline{15000};
    /// Default 30s: the whole saga, compensation included, ends by then (counted once the
    /// saga holds its group, see lock_wait). At least `deadline`; twice it by default, so a
    /// compensation always has as long as the forward steps had.
    std::chrono::milliseconds saga_deadline{30000};
    /// Default 100: the client-wide retry budget (a token bucket). Each retry of a forward
    /// step takes a token; once none is left, steps give up at their first failure. 100
    /// retries cover a burst of faults; a dead cluster gets no retry storm.
    int budget_tokens = 100;
    /// Default 0.2: each answer from a node puts back a fifth of a token, so retries may go
    /// on at up to one for every five answers (the AWS SDKs' ratio).
    double budget_refill = 0.2;
    /// Default 5: a node's circuit breaker opens after this many failed calls in a row; new
    /// forward steps on it then fail at once instead of waiting out their deadline.
    int breaker_failures = 5;
    /// Default 1s: an open breaker lets one probe through after this long.
    std::chrono::milliseconds breaker_cooldown{1000};
};

/// What a delete does when some node cannot be cleared.
enum class DeleteMode {
    rollback,  ///< re-create the group where we deleted it: all or none, as create does
    forward,   ///< keep what was deleted; the saga ends `incomplete` and stays open
};

constexpr auto enum_names(DeleteMode) {
    return std::to_array<EnumName<DeleteMode>>({{DeleteMode::rollback, "rollback"}, {DeleteMode::forward, "forward"}});
}

/// How hard a saga log commit tries to survive.
enum class Durability {
    process,  ///< survives the process being killed (kill -9, a crash): no fsync per commit
    machine,  ///< also survives power loss: an fsync per commit batch
};

constexpr auto enum_names(Durability) {
    return std::to_array<EnumName<Durability>>({{Durability::process, "process"}, {Durability::machine, "machine"}});
}

/// The durable saga log (docs/design.md, "The saga log and recovery"): what makes a crash
/// lose nothing.
struct SagaLogOptions {
    /// Default empty: no log, sagas live in memory only and a crash mid-saga can leave a
    /// partial group. The command line sets it to its state directory. The log is the file
    /// `sagas.db` in this directory (created if missing), unless `url` names another.
    std::string state_dir;
    /// Default empty: the SQLite file in state_dir. Else where the log is:
    /// `sqlite:///absolute/path.db`, another SQLite file; or `postgresql://user@host:port/db`
    /// (a libpq URI), a log that coordinators on several machines share, with leases and
    /// takeover (docs/fleet.md). Its password comes from the URI, PGPASSFILE or ~/.pgpass
    /// and is never printed.
    std::string url;
    /// Default process: a killed client loses nothing; power loss is the machine's business
    /// (and costs an fsync per commit batch with `machine`). SQLite only: PostgreSQL's own
    /// settings decide its durability.
    Durability durability = Durability::process;
    /// Default cluster_client: the PostgreSQL schema that holds the log's tables, so that
    /// several logs can share one database. Lowercase letters, digits and _, at most 63.
    std::string schema = "cluster_client";
    /// Default 10s: a coordinator's lease on a PostgreSQL log. One that dies is taken over
    /// this long after its last renewal; one cut off from the database stops sending node
    /// requests before its lease ends. At least 3 x (attempt_timeout + 500ms).
    std::chrono::milliseconds lease_ttl{10000};
    /// Default 2s: how often a client on a PostgreSQL log, while it runs sagas, takes over
    /// the open sagas of coordinators whose lease has expired; 0: only `recover` does.
    std::chrono::milliseconds recovery_interval{2000};
};

/// The HTTP transport to every host.
struct HttpOptions {
    /// Default 64: open connections kept per host; more requests wait for one.
    std::size_t max_connections_per_host = 64;
    /// Default 8 KiB: a node's response headers larger than this are refused.
    std::size_t max_header_bytes = 8 * 1024;
    /// Default 64 KiB: a group record is tiny; a larger body is refused.
    std::size_t max_body_bytes = 64 * 1024;
    /// Default true: https certificates and host names are verified.
    bool verify_tls = true;
    /// Default empty: extra CA bundle (PEM) trusted besides the system store.
    std::string ca_file;
    /// Default empty: a client certificate chain (PEM) and its key, for nodes that require
    /// mutual TLS; both or neither.
    std::string cert_file;
    std::string key_file;
    /// Default empty: when set, sent as `Authorization: Bearer <token>` with every request.
    /// It is never logged nor put in a report.
    std::string bearer_token;
};

/// Everything a ClusterClient needs. The first field is the list of hosts, as in the seed.
struct ClientOptions {
    /// Required: `http://host[:port][/prefix]`, `https://...`, or bare `host[:port]`.
    std::vector<std::string> hosts;
    /// Retry and timeouts of every request.
    RetryOptions retry{};
    /// Transport limits and TLS.
    HttpOptions http{};
    /// Default strict: never mistake a group that already existed for our own.
    Ownership ownership = Ownership::strict;
    /// Default rollback: a failed delete leaves every node as it was, like a failed create.
    DeleteMode delete_mode = DeleteMode::rollback;
    /// Default 10s: how long a saga waits for another saga on the same group to end before
    /// it ends `busy` (0: fail fast).
    std::chrono::milliseconds lock_wait{10000};
    /// The durable saga log; off by default in the library (see SagaLogOptions).
    SagaLogOptions saga_log{};
    /// Default default_logger(), warnings and errors to stderr: a library never writes to
    /// stdout, and what it logs below a warning (each saga's end at info, each request at
    /// debug) is for whoever asks. Null: nothing is logged. The logger may be called from
    /// the saga log's own thread.
    std::shared_ptr<spdlog::logger> logger = default_logger();
    /// Default null: no metrics. The application's Prometheus registry, which the client
    /// registers its series with (docs/operations.md lists them); the application serves it.
    /// Clients that share a registry share its series.
    std::shared_ptr<prometheus::Registry> metrics{};
};

/// Checks `options` as a ClusterClient's constructor does, without making one: each host
/// parses and no two name one node, the retry bounds and HTTP limits are usable, the TLS
/// files load. Throws ConfigError naming the field and the rule it breaks. No hosts is not
/// an error here (a client with a saga log and no hosts can recover).
void check_options(const ClientOptions& options);

/// The state directory the command line uses when none is given:
/// `$XDG_STATE_HOME/cluster-client` when XDG_STATE_HOME holds an absolute path, else
/// `$HOME/.local/state/cluster-client`. Throws ConfigError when there is no home directory.
std::string default_state_dir();

/// A saga log URL as it may be printed: a password in it (`user:PASSWORD@`, `password=`)
/// replaced by `***`.
std::string shown_saga_log_url(std::string_view url);

/// Splits a comma-separated host list (the HOSTS variable, `--hosts`): items trimmed of
/// spaces, empty items dropped. Each host is checked when a client is made from them.
std::vector<std::string> split_hosts(std::string_view comma_separated);

}  // namespace cluster_client
