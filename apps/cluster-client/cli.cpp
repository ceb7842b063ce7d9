// SPDX-License-Identifier: MIT
#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <prometheus/registry.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cluster_client/cluster_client.hpp>
#include <cluster_client/duration.hpp>
#include <cluster_client/version.hpp>

#include "bash_completion.hpp"
#include "batch.hpp"
#include "client_options.hpp"
#include "demo.hpp"
#include "fish_completion.hpp"
#include "log_commands.hpp"
#include "metrics_listener.hpp"
#include "option_flags.hpp"
#include "option_value.hpp"
#include "output.hpp"
#include "settings.hpp"

namespace cluster_client::cli {

namespace {

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

// --color: `auto` colours a terminal only, and not at all when NO_COLOR is set and not empty
// (no-color.org); `always` and `never` say so whatever the environment.
spdlog::color_mode color_mode_of(const std::string& color) {
    if (color == "always") return spdlog::color_mode::always;
    if (color == "never") return spdlog::color_mode::never;
    const char* no_color = std::getenv("NO_COLOR");
    return no_color != nullptr && *no_color != '\0' ? spdlog::color_mode::never : spdlog::color_mode::automatic;
}

// The command line's logger: stderr, at --log-level (error with --quiet, unless --log-level
// was given). It is spdlog's default logger too, which the local cluster of `demo` logs to.
std::shared_ptr<spdlog::logger> set_up_logging(const Settings& settings) {
    auto logger = spdlog::stderr_color_mt("cluster-client", color_mode_of(settings.value("color")));
    spdlog::set_default_logger(logger);
    const bool quiet_default = settings.is_on("quiet") && settings.source("log_level") == Source::default_value;
    spdlog::set_level(quiet_default ? spdlog::level::err : spdlog::level::from_str(settings.value("log_level")));
    return logger;
}

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The first --option of `args` that no command knows, with the known one closest to it
// when it is close enough to be a typo: "unknown option --atempts (did you mean
// --attempts?)".
std::optional<std::string> unknown_option(const CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> known;
    const auto collect = [&known](const CLI::App& command) {
        for (const auto* option : command.get_options()) {
            for (const auto& name : option->get_lnames()) known.push_back("--" + name);
        }
    };
    collect(app);
    for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) collect(*command);
    for (const auto& word : args) {
        if (!word.starts_with("--") || word == "--") continue;
        const auto flag = word.substr(0, word.find('='));
        if (std::find(known.begin(), known.end(), flag) != known.end()) continue;
        std::string text = "unknown option " + flag;
        const std::string* closest = nullptr;
        std::size_t best = 3;  // at most two edits away
        for (const auto& name : known) {
            const auto distance = edit_distance(flag, name);
            if (distance < best) {
                best = distance;
                closest = &name;
            }
        }
        if (closest != nullptr) text += " (did you mean " + *closest + "?)";
        return text;
    }
    return std::nullopt;
}

// Options of the saga commands given before the command name are taken as if after it; a
// command that does not run sagas on ids refuses them.
void check_saga_options_given_before(const CLI::App& app, const CLI::App& command) {
    static const std::set<std::string> saga_commands{"create", "delete", "ensure", "verify"};
    if (saga_commands.contains(command.get_name())) return;
    for (const auto& row : option_table()) {
        if (row.scope != OptionScope::saga_commands) continue;
        const auto* option = app.get_option_no_throw(row.flag());
        if (option != nullptr && option->count() > 0) {
            throw ConfigError(row.flag() + ": only create, delete, ensure and verify take it, not " +
                              command.get_name());
        }
    }
}

// Recovers what earlier runs left open, alongside the command's own sagas: those never wait
// for the recovery of other groups (a saga on a group with an open saga recovers that one
// first), and all of the recovery ends within one saga deadline. Run by io.run().
std::future<std::vector<SagaReport>> start_recovery(boost::asio::io_context& io, ClusterClient& client) {
    return boost::asio::co_spawn(io, client.recover(), boost::asio::use_future);
}

// Reports what the recovery at start did. A saga it could not end is an earlier run's, so it
// does not change this run's exit code; it gets a warning that names it and its next step.
void report_recovery(std::future<std::vector<SagaReport>>& recovered, std::ostream& err) {
    for (const auto& report : recovered.get()) {
        const std::string saga = std::string(to_string(report.operation)) + ' ' + report.group;
        if (const auto step = next_step(report)) {
            err << "cluster-client: warning: a saga an earlier run left open is still open: " << saga << " ("
                << to_string(report.outcome) << "); " << *step << '\n';
        } else {
            err << "cluster-client: closed a saga an earlier run left open: " << saga << " -> "
                << to_string(report.outcome) << '\n';
        }
    }
}

ExitCode exit_code(const BatchTotals& totals) {
    if (totals.input_error) return ExitCode::usage;
    if (totals.left_open > 0) return ExitCode::left_open;
    if (totals.failed > 0) return ExitCode::failed;
    return ExitCode::success;
}

// What a command takes besides the options of the option table.
struct CommandArguments {
    std::vector<std::string> ids;
    std::string from_file;
    std::size_t limit = 20;
    std::string older_than;
    bool ignore_not_found = false;
    std::string config_file;
    std::string shell;
};

CLI::App* add_saga_command(CLI::App& app, const char* name, const char* description, CommandArguments& arguments) {
    auto* command = app.add_subcommand(name, description);
    command->add_option("ids", arguments.ids,
                        "group ids (1 to 255 bytes of UTF-8, no control characters, not . or ..)");
    command->add_option("--from-file", arguments.from_file, "read group ids from FILE, one per line ('-': stdin)")
        ->type_name("FILE");
    add_option_flags(*command, OptionScope::saga_commands);
    return command;
}

// The layers under the flags, then the flags: the config file, the environment, the command
// line; a later one wins.
Settings layered_settings(const CLI::App& app, const std::string& config_file, const char* env_hosts) {
    auto settings = Settings::defaults();
    const auto* config_option = app.get_option("--config");
    if (const auto file = config_path(config_option->count() > 0 ? std::optional(config_file) : std::nullopt)) {
        apply_config_file(*file, settings);
    }
    apply_environment(settings, [env_hosts](const char* name) {
        return std::string_view(name) == "HOSTS" ? env_hosts : std::getenv(name);
    });
    apply_command_line(app, settings);
    check_settings(settings);
    return settings;
}

}  // namespace

int run(const std::vector<std::string>& args, const char* env_hosts, std::ostream& out, std::ostream& err) {
    CommandArguments arguments;
    CLI::App app{"cluster-client: create, verify and delete a group on every node of a cluster, all or none",
                 "cluster-client"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_help_all_flag("--help-all", "print the help of every command");
    app.set_version_flag("--version", "cluster-client " + std::string(cluster_client::version),
                         "print the version and exit");
    app.footer(
        "Exit status: 0 every operation succeeded; 1 some failed cleanly (rolled back, conflict, not found, busy);\n"
        "2 usage or configuration error, nothing sent; 3 something left open for `cluster-client recover`.\n"
        "Environment: HOSTS (the host list), CLUSTER_CLIENT_<OPTION> for every option (CLUSTER_CLIENT_ATTEMPTS=3),\n"
        "CLUSTER_CLIENT_TOKEN, XDG_STATE_HOME and XDG_CONFIG_HOME (where the saga log and config file are),\n"
        "NO_COLOR, PGPASSFILE. A flag overrides the environment, which overrides the config file.");
    add_option_flags(app, OptionScope::every_command);
    // Also before the command name: `cluster-client --concurrency 4 create ...`.
    add_option_flags(app, OptionScope::saga_commands);

    add_saga_command(app, "create", "create groups on every node, or on none", arguments);
    add_saga_command(app, "delete", "delete groups from every node, or from none", arguments)
        ->add_flag("--ignore-not-found", arguments.ignore_not_found,
                   "a group that is on no node is a success (exit 0), not a failure: for scripts that want the "
                   "group gone, whether or not it was there");
    add_saga_command(app, "ensure", "create groups where they are missing; never roll back", arguments);
    add_saga_command(app, "verify", "read groups on every node (a per-host table)", arguments);
    auto* demo = app.add_subcommand("demo", "start a local 3-node cluster and show a group's life on it");
    DemoOptions demo_options;
    demo->add_option("--group", demo_options.group, "the group id to use")->capture_default_str();
    demo->add_option("--nodes", demo_options.nodes, "nodes in the local cluster")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    demo->add_flag("!--no-faults", demo_options.faults, "run the nodes without injected faults");
    auto* recover = app.add_subcommand("recover", "finish or compensate the sagas a crash or a down node left open");
    auto* sagas = app.add_subcommand("sagas", "list the open and the most recent sagas of the saga log");
    sagas->add_option("--limit", arguments.limit, "recent sagas shown")->capture_default_str();
    auto* prune =
        app.add_subcommand("prune", "delete from the saga log the sagas that ended long ago, never an open one");
    prune->add_option("--older-than", arguments.older_than, "delete the sagas that ended more than DURATION ago (7d)")
        ->type_name("DURATION")
        ->required();
    auto* config_command =
        app.add_subcommand("config", "print the effective configuration and where each value came from");
    auto* completion = app.add_subcommand("completion", "print the completion script of a shell: bash, zsh or fish");
    completion->add_option("shell", arguments.shell, "bash, zsh or fish")
        ->check(CLI::IsMember({"bash", "zsh", "fish"}))
        ->required();
    app.add_option("--config", arguments.config_file,
                   "read options from this TOML file (default: $XDG_CONFIG_HOME/cluster-client/config.toml when "
                   "present); flags override the environment, which overrides the file")
        ->type_name("FILE");

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return 0;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::CallForVersion& version) {
        out << version.what() << '\n';
        return 0;
    } catch (const CLI::ParseError& error) {
        const auto command = typed_command(app, args);
        if (app.get_subcommands().empty() && command) {
            err << "cluster-client: unknown command '" << *command
                << "' (commands: create, delete, ensure, verify, recover, sagas, prune, config, demo, completion)\n";
        } else if (const auto unknown = unknown_option(app, args)) {
            err << "cluster-client: " << *unknown << "\n(run cluster-client --help for usage)\n";
        } else {
            err << "cluster-client: " << parse_error_text(error) << "\n(run cluster-client --help for usage)\n";
        }
        return static_cast<int>(ExitCode::usage);
    }
    if (completion->parsed()) {
        if (arguments.shell == "fish") {
            print_fish_completion(out, app);
        } else if (arguments.shell == "zsh") {
            // zsh runs the bash script through its bash emulation: one script, the same words.
            out << "#compdef cluster-client\n"
                   "# zsh completion for cluster-client: the bash script below, through zsh's bashcompinit.\n"
                   "# Install: `source <(cluster-client completion zsh)` in ~/.zshrc, after compinit.\n"
                   "autoload -U +X bashcompinit && bashcompinit\n\n";
            print_bash_completion(out, app);
        } else {
            print_bash_completion(out, app);
        }
        return 0;
    }

    try {
        const auto settings = layered_settings(app, arguments.config_file, env_hosts);
        check_saga_options_given_before(app, *app.get_subcommands().front());
        const auto logger = set_up_logging(settings);
        const bool quiet = settings.is_on("quiet");
        std::ostream no_notes(nullptr);
        std::ostream& notes = quiet ? no_notes : err;
        const auto client_options = [&](bool need_hosts) {
            auto options = make_client_options(settings, need_hosts);
            options.logger = logger;
            return options;
        };
        const auto format = settings.value("output") == "json" ? OutputFormat::json : OutputFormat::text;
        if (config_command->parsed()) {
            print_settings(out, settings, format == OutputFormat::json);
            return 0;
        }
        if (demo->parsed()) return run_demo(demo_options, format, out, err);
        if (sagas->parsed()) {
            return run_sagas_command(client_options(false), arguments.limit, format, out);
        }
        if (prune->parsed()) {
            auto options = client_options(false);
            if (options.saga_log.state_dir.empty() && options.saga_log.url.empty())
                throw ConfigError("prune: needs the saga log (drop --no-saga-log)");
            std::chrono::milliseconds older_than{};
            try {
                older_than = parse_duration(arguments.older_than);
            } catch (const ConfigError& error) {
                throw ConfigError("--older-than: " + std::string(error.what()));
            }
            return run_prune_command(std::move(options), older_than, format, out);
        }
        if (recover->parsed()) {
            auto options = client_options(false);
            if (options.saga_log.state_dir.empty() && options.saga_log.url.empty())
                throw ConfigError("recover: needs the saga log (drop --no-saga-log)");
            return run_recover_command(std::move(options), format, out, err);
        }

        const auto* command = app.get_subcommands().front();
        static const std::map<std::string, Operation> operations{{"create", Operation::create},
                                                                 {"delete", Operation::delete_},
                                                                 {"ensure", Operation::ensure},
                                                                 {"verify", Operation::verify}};
        const auto operation = operations.at(command->get_name());
        if (arguments.ids.empty() == arguments.from_file.empty()) {
            throw ConfigError(command->get_name() + ": give group ids or --from-file FILE (one of the two)");
        }
        auto options = client_options(true);
        std::optional<MetricsListener> metrics;
        if (const auto address = settings.value("metrics_listen"); !address.empty()) {
            options.metrics = std::make_shared<prometheus::Registry>();
            metrics.emplace(address, options.metrics);
            notes << "cluster-client: serving metrics at " << metrics->url() << '\n';
        }
        if (settings.is_on("insecure")) {
            err << "cluster-client: WARNING: --insecure: https certificates are not verified; anyone between "
                   "this machine and the nodes can impersonate them\n";
        }
        auto ids = arguments.from_file.empty() ? IdSource::from_args(arguments.ids)
                                               : IdSource::from_file(arguments.from_file);

        boost::asio::io_context io{1};
        ClusterClient client(io.get_executor(), options);
        std::optional<std::future<std::vector<SagaReport>>> recovery;
        if (!settings.is_on("no_recover")) recovery = start_recovery(io, client);
        const bool batch = !arguments.from_file.empty() || arguments.ids.size() > 1;
        const ProgressTarget progress{batch && !quiet && ::isatty(STDERR_FILENO) ? &err : nullptr,
                                      ::isatty(STDOUT_FILENO) == 1};
        const auto concurrency = static_cast<std::size_t>(as_count(settings.value("concurrency")));
        const auto totals =
            run_batch(io, client, operation, ids, {concurrency, arguments.ignore_not_found}, format, out, progress);
        if (!options.saga_log.state_dir.empty() || !options.saga_log.url.empty()) {
            apply_retention(io, client, as_duration(settings.value("retention")), notes);
        }
        if (recovery) report_recovery(*recovery, notes);
        if (totals.input_error) err << "cluster-client: " << *totals.input_error << '\n';
        if (totals.log_error) {
            err << "cluster-client: " << *totals.log_error
                << "; sagas may be left open: run recover once it is fixed\n";
        }
        return static_cast<int>(exit_code(totals));
    } catch (const ConfigError& error) {
        err << "cluster-client: " << error.what() << '\n';
        return static_cast<int>(ExitCode::usage);
    } catch (const SagaLogUnavailable& error) {
        // The options are right, the log's server is not usable now: nothing was sent.
        err << "cluster-client: " << error.what() << '\n';
        return static_cast<int>(ExitCode::left_open);
    }
}

}  // namespace cluster_client::cli
