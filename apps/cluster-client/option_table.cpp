// SPDX-License-Identifier: MIT
#include "option_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <cluster_client/duration.hpp>
#include <cluster_client/options.hpp>

#include "metrics_listener.hpp"
#include "option_value.hpp"

namespace cluster_client::cli {

namespace {

// The words of an option that picks one of the library's enum values.
template <typename Enum, std::size_t N>
using Words = std::array<std::pair<std::string_view, Enum>, N>;

constexpr Words<Ownership, 2> ownership_words{{{"strict", Ownership::strict}, {"fast", Ownership::fast}}};
constexpr Words<DeleteMode, 2> delete_mode_words{
    {{"rollback", DeleteMode::rollback}, {"forward", DeleteMode::forward}}};
constexpr Words<Durability, 2> durability_words{{{"process", Durability::process}, {"machine", Durability::machine}}};

template <typename Enum, std::size_t N>
std::vector<std::string_view> choices_of(const Words<Enum, N>& words) {
    std::vector<std::string_view> choices;
    for (const auto& entry : words) choices.push_back(entry.first);
    return choices;
}

template <typename Enum, std::size_t N>
std::string word_of(const Words<Enum, N>& words, Enum value) {
    const auto found =
        std::find_if(words.begin(), words.end(), [&](const auto& entry) { return entry.second == value; });
    return std::string(found->first);
}

template <typename Enum, std::size_t N>
Enum value_of(const Words<Enum, N>& words, std::string_view word) {
    const auto found = std::find_if(words.begin(), words.end(), [&](const auto& entry) { return entry.first == word; });
    return found->second;
}

std::string text_of(std::chrono::milliseconds duration) {
    return format_duration(duration);
}
std::string text_of(std::integral auto number) {
    return std::to_string(number);
}

const RetryOptions retry_defaults{};
const HttpOptions http_defaults{};
const ClientOptions client_defaults{};

}  // namespace

std::string OptionRow::flag() const {
    std::string flag = "--" + std::string(name);
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

std::string OptionRow::environment() const {
    if (name == "hosts") return "HOSTS";
    std::string variable = "CLUSTER_CLIENT_" + std::string(name);
    std::transform(variable.begin(), variable.end(), variable.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return variable;
}

const std::vector<OptionRow>& option_table() {
    static const std::vector<OptionRow> table{
        {.name = "hosts",
         .kind = ValueKind::text,
         .default_value = "",
         .doc = "comma-separated node URLs; none by default: the cluster is yours to name",
         .apply = [](std::string_view value, ClientOptions& options) { options.hosts = split_hosts(value); }},
        {.name = "output",
         .kind = ValueKind::word,
         .default_value = "text",
         .doc = "text for people; json prints one JSON object per saga per line",
         .choices = {"text", "json"}},
        {.name = "log_level",
         .kind = ValueKind::word,
         .default_value = "warn",
         .doc = "logs go to stderr; warn keeps them to trouble, info adds a line per saga, debug one per request",
         .choices = {"trace", "debug", "info", "warn", "error", "critical", "off"}},
        {.name = "color",
         .kind = ValueKind::word,
         .default_value = "auto",
         .doc = "colour the level of log lines on stderr: auto does so on a terminal unless NO_COLOR is set (the "
                "no-color.org convention)",
         .choices = {"auto", "always", "never"}},
        {.name = "quiet",
         .kind = ValueKind::flag,
         .default_value = "false",
         .doc = "results and errors only: no progress line, no notes about earlier runs' sagas or retention, and "
                "no warnings unless --log-level asks; for scripts"},
        {.name = "state_dir",
         .kind = ValueKind::directory,
         .default_value = "",
         .doc = "where the saga log sagas.db lives; empty: $XDG_STATE_HOME/cluster-client, else "
                "~/.local/state/cluster-client, the XDG place for state that must survive a restart"},
        {.name = "no_saga_log",
         .kind = ValueKind::flag,
         .default_value = "false",
         .doc = "run without the durable saga log; off, since a client killed mid-saga could then leave a "
                "partial group"},
        {.name = "saga_log",
         .kind = ValueKind::text,
         .default_value = "",
         .doc = "where the saga log is: sqlite:///PATH, or postgresql://USER@HOST:PORT/DB for a log shared by "
                "coordinators on several machines (docs/fleet.md); empty: sagas.db in the state directory. The "
                "password is never printed",
         .apply = [](std::string_view value, ClientOptions& options) { options.saga_log.url = value; },
         .shown = [](std::string_view value) { return shown_saga_log_url(value); }},
        {.name = "schema",
         .kind = ValueKind::text,
         .default_value = client_defaults.saga_log.schema,
         .doc = "the PostgreSQL schema of the saga log's tables; one per log, so several logs can share a database",
         .apply = [](std::string_view value, ClientOptions& options) { options.saga_log.schema = value; }},
        {.name = "lease_ttl",
         .kind = ValueKind::duration,
         .default_value = text_of(client_defaults.saga_log.lease_ttl),
         .doc = "a coordinator's lease on a PostgreSQL log: a dead one's sagas are taken over this long after its "
                "last renewal; short enough to repair soon, long enough to ride out a slow database",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.saga_log.lease_ttl = as_duration(value); }},
        {.name = "recovery_interval",
         .kind = ValueKind::duration,
         .default_value = text_of(client_defaults.saga_log.recovery_interval),
         .doc = "while sagas run on a PostgreSQL log, take over the sagas of expired coordinators this often; 0s: "
                "only recover does",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.saga_log.recovery_interval = as_duration(value); }},
        {.name = "durability",
         .kind = ValueKind::word,
         .default_value = word_of(durability_words, client_defaults.saga_log.durability),
         .doc = "process survives kill -9 at no fsync cost; machine also survives power loss, at an fsync per "
                "commit batch",
         .choices = choices_of(durability_words),
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.saga_log.durability = value_of(durability_words, value); }},
        {.name = "retention",
         .kind = ValueKind::duration,
         .default_value = "30d",
         .doc = "after create, delete, ensure or verify, delete from the saga log the sagas that ended longer ago "
                "than this, never an open one: a month of history for `sagas`, and a log that stops growing; 0s "
                "keeps every saga"},
        {.name = "no_recover",
         .kind = ValueKind::flag,
         .default_value = "false",
         .doc = "do not first recover the sagas earlier runs left open; off, so a crash is repaired by the next "
                "run"},
        {.name = "token_file",
         .kind = ValueKind::file,
         .default_value = "",
         .doc = "send the token on FILE's first line as 'Authorization: Bearer'; empty: the CLUSTER_CLIENT_TOKEN "
                "environment variable, else none. Never printed"},
        {.name = "ca_file",
         .kind = ValueKind::file,
         .default_value = http_defaults.ca_file,
         .doc = "also trust the CA certificates in FILE (PEM) for https hosts; empty: the system's CAs only",
         .apply = [](std::string_view value, ClientOptions& options) { options.http.ca_file = value; }},
        {.name = "cert",
         .kind = ValueKind::file,
         .default_value = http_defaults.cert_file,
         .doc = "client certificate chain (PEM) for nodes that require mutual TLS; empty: none. Needs --key",
         .apply = [](std::string_view value, ClientOptions& options) { options.http.cert_file = value; }},
        {.name = "key",
         .kind = ValueKind::file,
         .default_value = http_defaults.key_file,
         .doc = "private key (PEM) of --cert; empty: none",
         .apply = [](std::string_view value, ClientOptions& options) { options.http.key_file = value; }},
        {.name = "insecure",
         .kind = ValueKind::flag,
         .default_value = "false",
         .doc = "do not verify https certificates; off, since anyone on the path could then impersonate a node "
                "(prints a warning)",
         .apply = [](std::string_view value, ClientOptions& options) { options.http.verify_tls = !as_flag(value); }},
        {.name = "attempts",
         .kind = ValueKind::count,
         .default_value = text_of(retry_defaults.max_attempts),
         .doc = "attempts per request before a step gives up: a flaky node gets several chances, a dead one "
                "costs little",
         .apply = [](std::string_view value, ClientOptions& options) { options.retry.max_attempts = as_count(value); }},
        {.name = "attempt_timeout",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.attempt_timeout),
         .doc = "time allowed to one request: a LAN round trip is well under a millisecond, so a request this "
                "slow means the node is stuck",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.attempt_timeout = as_duration(value); }},
        {.name = "deadline",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.deadline),
         .doc = "time allowed to all attempts of one step on one node, whatever the node does",
         .apply = [](std::string_view value, ClientOptions& options) { options.retry.deadline = as_duration(value); }},
        {.name = "saga_deadline",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.saga_deadline),
         .doc = "time allowed to a whole saga, compensation included: at least --deadline, twice it by default "
                "so that undoing has as long as doing had",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.saga_deadline = as_duration(value); }},
        {.name = "retry_budget",
         .kind = ValueKind::count,
         .default_value = text_of(retry_defaults.budget_tokens),
         .doc = "retries the whole run may make beyond what answers earn back (one per five answers): a burst of "
                "faults is ridden out, a dead cluster gets no retry storm",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.budget_tokens = as_count(value); }},
        {.name = "breaker_failures",
         .kind = ValueKind::count,
         .default_value = text_of(retry_defaults.breaker_failures),
         .doc = "failed calls in a row after which new steps on a node fail at once instead of waiting out their "
                "deadline",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.breaker_failures = as_count(value); }},
        {.name = "breaker_cooldown",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.breaker_cooldown),
         .doc = "how long an open breaker waits before it lets one probe through; an answer closes it",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.breaker_cooldown = as_duration(value); }},
        {.name = "initial_backoff",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.initial_backoff),
         .doc = "first wait before a retry: long enough for a restart to begin",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.initial_backoff = as_duration(value); }},
        {.name = "max_backoff",
         .kind = ValueKind::duration,
         .default_value = text_of(retry_defaults.max_backoff),
         .doc = "longest wait between retries (exponential backoff, full jitter)",
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.retry.max_backoff = as_duration(value); }},
        {.name = "lock_wait",
         .kind = ValueKind::duration,
         .default_value = text_of(client_defaults.lock_wait),
         .doc = "how long a saga waits for another on the same group before it ends busy (0: fail fast)",
         .apply = [](std::string_view value, ClientOptions& options) { options.lock_wait = as_duration(value); }},
        {.name = "ownership",
         .kind = ValueKind::word,
         .default_value = word_of(ownership_words, client_defaults.ownership),
         .doc = "strict reads each node before creating, so a group that was there before is never ours; fast "
                "saves that read for creates",
         .choices = choices_of(ownership_words),
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.ownership = value_of(ownership_words, value); }},
        {.name = "delete_mode",
         .kind = ValueKind::word,
         .default_value = word_of(delete_mode_words, client_defaults.delete_mode),
         .doc = "rollback leaves every node as it was when a delete fails, like a failed create; forward keeps "
                "what was deleted",
         .choices = choices_of(delete_mode_words),
         .apply = [](std::string_view value,
                     ClientOptions& options) { options.delete_mode = value_of(delete_mode_words, value); }},
        {.name = "max_connections_per_host",
         .kind = ValueKind::count,
         .default_value = text_of(http_defaults.max_connections_per_host),
         .doc = "connections kept open to each node; more requests wait for one. Enough for a batch's "
                "concurrency without flooding a node",
         .apply =
             [](std::string_view value, ClientOptions& options) {
                 options.http.max_connections_per_host = static_cast<std::size_t>(as_count(value));
             }},
        {.name = "concurrency",
         .kind = ValueKind::count,
         .default_value = "16",
         .doc = "sagas run at once in a batch: enough to hide a round trip, few enough to spare the nodes",
         .scope = OptionScope::saga_commands,
         .rule = [](std::string_view value) -> std::optional<std::string> {
             const int sagas = as_count(value);
             if (sagas >= 1 && sagas <= 100000) return std::nullopt;
             return "must be from 1 to 100000 (got " + std::string(value) + ")";
         }},
        {.name = "metrics_listen",
         .kind = ValueKind::text,
         .default_value = "",
         .doc = "while the command runs, serve Prometheus metrics at http://ADDR:PORT/metrics (port 0: any free "
                "one; the URL is printed); empty: none, since a one-off command is seldom scraped",
         .scope = OptionScope::saga_commands,
         .rule = [](std::string_view value) -> std::optional<std::string> {
             if (value.empty()) return std::nullopt;
             return metrics_address_error(value);
         }},
    };
    return table;
}

const OptionRow* find_option(std::string_view name) {
    const auto& table = option_table();
    const auto found = std::find_if(table.begin(), table.end(), [&](const OptionRow& row) { return row.name == name; });
    return found == table.end() ? nullptr : &*found;
}

}  // namespace cluster_client::cli
