// SPDX-License-Identifier: MIT
#include "cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cluster_client/cluster_client.hpp>
#include <cluster_client/duration.hpp>

#include "batch.hpp"
#include "demo.hpp"
#include "log_commands.hpp"
#include "output.hpp"
#include "settings.hpp"

namespace cluster_client::cli {

namespace {


std::chrono::milliseconds option_duration(const char* option, const std::string& text) {
    try {
        return parse_duration(text);
    } catch (const ConfigError& error) {
        throw ConfigError(std::string(option) + ": " + error.what());
    }
}

// A duration that must be more than zero: every retry bound but --lock-wait.
std::chrono::milliseconds positive_duration(const char* option, const std::string& text) {
    const auto duration = option_duration(option, text);
    if (duration.count() <= 0) throw ConfigError(std::string(option) + " must be more than zero (got " + text + ")");
    return duration;
}

// A count that must be at least 1.
int at_least_one(const char* option, int value) {
    if (value < 1) throw ConfigError(std::string(option) + " must be at least 1 (got " + std::to_string(value) + ")");
    return value;
}

// CLI11 says "Could not convert: --attempts = abc"; the rule is what a user needs.
std::string parse_error_text(const CLI::ParseError& error) {
    const std::string text = error.what();
    const std::string_view prefix = "Could not convert: ";
    const auto equals = text.find(" = ");
    if (error.get_name() == "ConversionError" && text.starts_with(prefix) && equals != std::string::npos) {
        const auto option = text.substr(prefix.size(), equals - prefix.size());
        return option + " must be a whole number in range (got \"" + text.substr(equals + 3) + "\")";
    }
    return text;
}

// The first word that is neither an option nor an option's value: the command as typed.
std::optional<std::string> typed_command(const CLI::App& app, const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& word = args[i];
        if (!word.starts_with("-")) return word;
        const auto equals = word.find('=');
        const auto* option = app.get_option_no_throw(word.substr(0, equals));
        if (option != nullptr && option->get_type_size() != 0 && equals == std::string::npos) ++i;
    }
    return std::nullopt;
}

// The token of --token-file, else CLUSTER_CLIENT_TOKEN, else the token_file of the config
// file or CLUSTER_CLIENT_TOKEN_FILE; empty when none is set.
std::string bearer_token(const RawOptions& raw, const Sources& sources) {
    const bool file_from_flag = source_of(sources, "token_file") == Source::command_line;
    const char* env = std::getenv("CLUSTER_CLIENT_TOKEN");
    if (!file_from_flag && env != nullptr && *env != '\0') return env;
    if (raw.token_file.empty()) return {};
    std::ifstream file(raw.token_file, std::ios::binary);
    std::string token;
    if (!file || !std::getline(file, token)) {
        throw ConfigError("--token-file " + raw.token_file + ": cannot read a token from it");
    }
    if (!token.empty() && token.back() == '\r') token.pop_back();
    if (token.empty()) throw ConfigError("--token-file " + raw.token_file + ": the first line is empty");
    return token;
}

std::string state_dir(const RawOptions& raw) {
    return raw.state_dir.empty() ? default_state_dir() : raw.state_dir;
}

ClientOptions make_client_options(const RawOptions& raw, const Sources& sources, bool need_hosts = true) {
    ClientOptions options;
    const std::string& hosts = raw.hosts;
    if (hosts.empty() && need_hosts) {
        throw ConfigError("no hosts: give --hosts URL,..., set the HOSTS environment variable, or put hosts in "
                          "the config file");
    }
    options.hosts = split_hosts(hosts);
    options.retry.max_attempts = at_least_one("--attempts", raw.attempts);
    options.retry.attempt_timeout = positive_duration("--attempt-timeout", raw.attempt_timeout);
    options.retry.deadline = positive_duration("--deadline", raw.deadline);
    options.retry.saga_deadline = positive_duration("--saga-deadline", raw.saga_deadline);
    if (options.retry.saga_deadline < options.retry.deadline) {
        throw ConfigError("--saga-deadline (" + raw.saga_deadline + ") must be at least --deadline (" + raw.deadline +
                          "): a saga's compensation needs time after its forward steps");
    }
    options.retry.budget_tokens = at_least_one("--retry-budget", raw.retry_budget);
    options.retry.breaker_failures = at_least_one("--breaker-failures", raw.breaker_failures);
    options.retry.breaker_cooldown = positive_duration("--breaker-cooldown", raw.breaker_cooldown);
    options.retry.initial_backoff = positive_duration("--initial-backoff", raw.initial_backoff);
    options.retry.max_backoff = positive_duration("--max-backoff", raw.max_backoff);
    options.lock_wait = option_duration("--lock-wait", raw.lock_wait);
    options.ownership = raw.ownership == "fast" ? Ownership::fast : Ownership::strict;
    options.delete_mode = raw.delete_mode == "forward" ? DeleteMode::forward : DeleteMode::rollback;
    if (!raw.no_saga_log) options.saga_log.state_dir = state_dir(raw);
    options.saga_log.durability = raw.durability == "machine" ? Durability::machine : Durability::process;
    options.http.bearer_token = bearer_token(raw, sources);
    options.http.ca_file = raw.ca_file;
    options.http.cert_file = raw.cert_file;
    options.http.key_file = raw.key_file;
    options.http.verify_tls = !raw.insecure;
    return options;
}

void set_up_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("cluster-client");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

// Recovers what earlier runs left open, alongside the command's own sagas: those never wait
// for the recovery of other groups (a saga on a group with an open saga recovers that one
// first), and all of the recovery ends within one saga deadline. Run by io.run().
std::future<std::vector<SagaReport>> start_recovery(boost::asio::io_context& io, ClusterClient& client) {
    return boost::asio::co_spawn(io, client.recover(), boost::asio::use_future);
}

// Reports what the recovery at start did; returns how many sagas stay open.
std::size_t report_recovery(std::future<std::vector<SagaReport>>& recovered, std::ostream& err) {
    std::size_t still_open = 0;
    for (const auto& report : recovered.get()) {
        err << "cluster-client: recovered an open saga: " << to_string(report.operation) << ' ' << report.group
            << " -> " << to_string(report.outcome) << '\n';
        if (report.left_open()) ++still_open;
    }
    return still_open;
}

ExitCode exit_code(const BatchTotals& totals) {
    if (totals.input_error) return ExitCode::usage;
    if (totals.left_open > 0) return ExitCode::left_open;
    if (totals.failed > 0) return ExitCode::failed;
    return ExitCode::success;
}

void add_saga_command(CLI::App& app, const char* name, const char* description, RawOptions& raw) {
    auto* command = app.add_subcommand(name, description);
    command->add_option("ids", raw.ids, "group ids (1 to 255 bytes of UTF-8, no control characters, not . or ..)");
    command->add_option("--from-file", raw.from_file, "read group ids from FILE, one per line ('-': stdin)");
    command->add_option("--concurrency", raw.concurrency, "sagas run at once in a batch")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
}

}  // namespace

int run(const std::vector<std::string>& args, const char* env_hosts, std::ostream& out, std::ostream& err) {
    RawOptions raw;
    CLI::App app{"cluster-client: create, verify and delete a group on every node of a cluster, all or none",
                 "cluster-client"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_help_all_flag("--help-all", "print the help of every command");
    app.add_option("--hosts", raw.hosts, "comma-separated node URLs (default: the HOSTS environment variable)");
    app.add_option("--output", raw.output, "text or json (one JSON object per line)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_option("--log-level", raw.log_level, "trace, debug, info, warn, error, critical or off (logs go to stderr)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.add_option("--state-dir", raw.state_dir,
                   "where the saga log lives (default: $XDG_STATE_HOME/cluster-client, else "
                   "~/.local/state/cluster-client)");
    app.add_flag("--no-saga-log", raw.no_saga_log, "run without the durable saga log (a crash may leave partial groups)");
    app.add_option("--durability", raw.durability, "process (survives kill -9) or machine (also power loss)")
        ->check(CLI::IsMember({"process", "machine"}))
        ->capture_default_str();
    app.add_flag("--no-recover", raw.no_recover, "do not recover open sagas before running a command");
    app.add_option("--token-file", raw.token_file,
                   "send the token on FILE's first line as 'Authorization: Bearer' (default: the "
                   "CLUSTER_CLIENT_TOKEN environment variable); never printed");
    app.add_option("--ca-file", raw.ca_file, "also trust the CA certificates in FILE (PEM) for https hosts");
    app.add_option("--cert", raw.cert_file, "client certificate chain (PEM) for nodes that require mutual TLS");
    app.add_option("--key", raw.key_file, "private key (PEM) of --cert");
    app.add_flag("--insecure", raw.insecure, "do not verify https certificates (dangerous: prints a warning)");
    app.add_option("--attempts", raw.attempts, "attempts per request before a step gives up")->capture_default_str();
    app.add_option("--attempt-timeout", raw.attempt_timeout, "time allowed to one request (e.g. 300ms, 2s)")
        ->capture_default_str();
    app.add_option("--deadline", raw.deadline, "time allowed to all attempts of one step on one node")
        ->capture_default_str();
    app.add_option("--saga-deadline", raw.saga_deadline,
                   "time allowed to a whole saga, compensation included (at least --deadline)")
        ->capture_default_str();
    app.add_option("--retry-budget", raw.retry_budget,
                   "retries the whole run may make beyond what answers earn back (one per five answers)")
        ->capture_default_str();
    app.add_option("--breaker-failures", raw.breaker_failures,
                   "failed calls in a row after which a node's forward steps fail at once")
        ->capture_default_str();
    app.add_option("--breaker-cooldown", raw.breaker_cooldown, "how long a node's breaker stays open before a probe")
        ->capture_default_str();
    app.add_option("--initial-backoff", raw.initial_backoff, "first wait before a retry")->capture_default_str();
    app.add_option("--max-backoff", raw.max_backoff, "longest wait between retries")->capture_default_str();
    app.add_option("--lock-wait", raw.lock_wait, "how long a saga waits for another on the same group")
        ->capture_default_str();
    app.add_option("--ownership", raw.ownership, "strict (read before creating) or fast (no read before a create)")
        ->check(CLI::IsMember({"strict", "fast"}))
        ->capture_default_str();
    app.add_option("--delete-mode", raw.delete_mode, "rollback (all or none) or forward (keep what was deleted)")
        ->check(CLI::IsMember({"rollback", "forward"}))
        ->capture_default_str();

    add_saga_command(app, "create", "create groups on every node, or on none", raw);
    add_saga_command(app, "delete", "delete groups from every node, or from none", raw);
    add_saga_command(app, "ensure", "create groups where they are missing; never roll back", raw);
    add_saga_command(app, "verify", "read groups on every node (a per-host table)", raw);
    auto* demo = app.add_subcommand("demo", "start a local 3-node cluster and show a group's life on it");
    DemoOptions demo_options;
    demo->add_option("--group", demo_options.group, "the group id to use")->capture_default_str();
    demo->add_option("--nodes", demo_options.nodes, "nodes in the local cluster")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    demo->add_flag("!--no-faults", demo_options.faults, "run the nodes without injected faults");
    auto* recover = app.add_subcommand("recover", "finish or compensate the sagas a crash or a down node left open");
    auto* sagas = app.add_subcommand("sagas", "list the open and the most recent sagas of the saga log");
    sagas->add_option("--limit", raw.limit, "recent sagas shown")->capture_default_str();
    auto* config_command =
        app.add_subcommand("config", "print the effective configuration and where each value came from");
    std::string config_file;
    app.add_option("--config", config_file,
                   "read options from this TOML file (default: $XDG_CONFIG_HOME/cluster-client/config.toml when "
                   "present); flags override the environment, which overrides the file");

    // The layers under the flags: the config file, then the environment. The options' help
    // above already captured the built-in defaults.
    Sources sources;
    std::optional<std::filesystem::path> file;
    try {
        file = config_path(config_flag(args));
        if (file) apply_config_file(*file, raw, sources);
        apply_environment(raw, sources, [env_hosts](const char* name) {
            return std::string_view(name) == "HOSTS" ? env_hosts : std::getenv(name);
        });
    } catch (const ConfigError& error) {
        err << "cluster-client: " << error.what() << '\n';
        return static_cast<int>(ExitCode::usage);
    }

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return 0;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::ParseError& error) {
        const auto command = typed_command(app, args);
        if (app.get_subcommands().empty() && command) {
            err << "cluster-client: unknown command '" << *command
                << "' (commands: create, delete, ensure, verify, recover, sagas, config, demo)\n";
        } else {
            err << "cluster-client: " << parse_error_text(error) << "\n(run cluster-client --help for usage)\n";
        }
        return static_cast<int>(ExitCode::usage);
    }

    for (const auto& key : setting_keys()) {
        const std::string flag(key.flag);
        for (const CLI::App* scope : {&app, app.get_subcommands().empty() ? &app : app.get_subcommands().front()}) {
            const auto* option = scope->get_option_no_throw(flag);
            if (option != nullptr && option->count() > 0) sources[std::string(key.key)] = Source::command_line;
        }
    }

    try {
        check_choices(raw, sources);
        set_up_logging(raw.log_level);
        const auto format = raw.output == "json" ? OutputFormat::json : OutputFormat::text;
        if (config_command->parsed()) {
            print_settings(out, raw, sources, file, format == OutputFormat::json);
            return 0;
        }
        if (demo->parsed()) return run_demo(demo_options, format, out, err);
        if (sagas->parsed()) return run_sagas_command(state_dir(raw), raw.limit, format, out);
        if (recover->parsed()) {
            auto options = make_client_options(raw, sources, false);
            if (options.saga_log.state_dir.empty()) throw ConfigError("recover: needs the saga log (drop --no-saga-log)");
            return run_recover_command(std::move(options), format, out, err);
        }

        const auto* command = app.get_subcommands().front();
        static const std::map<std::string, Operation> operations{{"create", Operation::create},
                                                                 {"delete", Operation::delete_},
                                                                 {"ensure", Operation::ensure},
                                                                 {"verify", Operation::verify}};
        const auto operation = operations.at(command->get_name());
        if (raw.ids.empty() == raw.from_file.empty()) {
            throw ConfigError(command->get_name() + ": give group ids or --from-file FILE (one of the two)");
        }
        const auto options = make_client_options(raw, sources);
        if (raw.insecure) {
            err << "cluster-client: WARNING: --insecure: https certificates are not verified; anyone between "
                   "this machine and the nodes can impersonate them\n";
        }
        auto ids = raw.from_file.empty() ? IdSource::from_args(raw.ids) : IdSource::from_file(raw.from_file);

        boost::asio::io_context io{1};
        ClusterClient client(io.get_executor(), options);
        std::optional<std::future<std::vector<SagaReport>>> recovery;
        if (!raw.no_recover) recovery = start_recovery(io, client);
        const bool batch = !raw.from_file.empty() || raw.ids.size() > 1;
        std::ostream* progress = batch && ::isatty(STDERR_FILENO) ? &err : nullptr;
        const auto totals = run_batch(io, client, operation, ids, raw.concurrency, format, out, progress);
        const auto recovered = recovery ? report_recovery(*recovery, err) : 0;
        if (totals.input_error) err << "cluster-client: " << *totals.input_error << '\n';
        if (totals.log_error) {
            err << "cluster-client: " << *totals.log_error << "; sagas may be left open: run recover once it is fixed\n";
        }
        const auto code = exit_code(totals);
        return static_cast<int>(code == ExitCode::success && recovered > 0 ? ExitCode::left_open : code);
    } catch (const ConfigError& error) {
        err << "cluster-client: " << error.what() << '\n';
        return static_cast<int>(ExitCode::usage);
    }
}

}  // namespace cluster_client::cli
