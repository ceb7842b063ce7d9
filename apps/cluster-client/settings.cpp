// SPDX-License-Identifier: MIT
#include "settings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <variant>

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <cluster_client/errors.hpp>

namespace cluster_client::cli {

namespace {

using Member = std::variant<std::string RawOptions::*, int RawOptions::*, bool RawOptions::*, std::size_t RawOptions::*>;

struct Binding {
    SettingKey names;
    Member member;
    std::vector<std::string_view> choices;  ///< empty: any value of the type
};

const std::vector<Binding>& bindings() {
    static const std::vector<Binding> table{
        {{"hosts", "--hosts", "HOSTS"}, &RawOptions::hosts, {}},
        {{"output", "--output", "CLUSTER_CLIENT_OUTPUT"}, &RawOptions::output, {"text", "json"}},
        {{"log_level", "--log-level", "CLUSTER_CLIENT_LOG_LEVEL"},
         &RawOptions::log_level,
         {"trace", "debug", "info", "warn", "error", "critical", "off"}},
        {{"state_dir", "--state-dir", "CLUSTER_CLIENT_STATE_DIR"}, &RawOptions::state_dir, {}},
        {{"no_saga_log", "--no-saga-log", "CLUSTER_CLIENT_NO_SAGA_LOG"}, &RawOptions::no_saga_log, {}},
        {{"durability", "--durability", "CLUSTER_CLIENT_DURABILITY"}, &RawOptions::durability, {"process", "machine"}},
        {{"no_recover", "--no-recover", "CLUSTER_CLIENT_NO_RECOVER"}, &RawOptions::no_recover, {}},
        {{"token_file", "--token-file", "CLUSTER_CLIENT_TOKEN_FILE"}, &RawOptions::token_file, {}},
        {{"ca_file", "--ca-file", "CLUSTER_CLIENT_CA_FILE"}, &RawOptions::ca_file, {}},
        {{"cert", "--cert", "CLUSTER_CLIENT_CERT"}, &RawOptions::cert_file, {}},
        {{"key", "--key", "CLUSTER_CLIENT_KEY"}, &RawOptions::key_file, {}},
        {{"insecure", "--insecure", "CLUSTER_CLIENT_INSECURE"}, &RawOptions::insecure, {}},
        {{"attempts", "--attempts", "CLUSTER_CLIENT_ATTEMPTS"}, &RawOptions::attempts, {}},
        {{"attempt_timeout", "--attempt-timeout", "CLUSTER_CLIENT_ATTEMPT_TIMEOUT"}, &RawOptions::attempt_timeout, {}},
        {{"deadline", "--deadline", "CLUSTER_CLIENT_DEADLINE"}, &RawOptions::deadline, {}},
        {{"saga_deadline", "--saga-deadline", "CLUSTER_CLIENT_SAGA_DEADLINE"}, &RawOptions::saga_deadline, {}},
        {{"retry_budget", "--retry-budget", "CLUSTER_CLIENT_RETRY_BUDGET"}, &RawOptions::retry_budget, {}},
        {{"breaker_failures", "--breaker-failures", "CLUSTER_CLIENT_BREAKER_FAILURES"}, &RawOptions::breaker_failures, {}},
        {{"breaker_cooldown", "--breaker-cooldown", "CLUSTER_CLIENT_BREAKER_COOLDOWN"}, &RawOptions::breaker_cooldown, {}},
        {{"initial_backoff", "--initial-backoff", "CLUSTER_CLIENT_INITIAL_BACKOFF"}, &RawOptions::initial_backoff, {}},
        {{"max_backoff", "--max-backoff", "CLUSTER_CLIENT_MAX_BACKOFF"}, &RawOptions::max_backoff, {}},
        {{"lock_wait", "--lock-wait", "CLUSTER_CLIENT_LOCK_WAIT"}, &RawOptions::lock_wait, {}},
        {{"ownership", "--ownership", "CLUSTER_CLIENT_OWNERSHIP"}, &RawOptions::ownership, {"strict", "fast"}},
        {{"delete_mode", "--delete-mode", "CLUSTER_CLIENT_DELETE_MODE"},
         &RawOptions::delete_mode,
         {"rollback", "forward"}},
        {{"concurrency", "--concurrency", "CLUSTER_CLIENT_CONCURRENCY"}, &RawOptions::concurrency, {}},
    };
    return table;
}

std::string known_keys() {
    std::string keys;
    for (const auto& binding : bindings()) keys += (keys.empty() ? "" : ", ") + std::string(binding.names.key);
    return keys;
}

// A TOML basic string: quotes and backslashes escaped, and the control characters TOML
// forbids raw (all but tab) as \u00XX, so that `config` always prints a loadable file.
std::string toml_string(std::string_view text) {
    std::string quoted = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
            constexpr std::string_view hex = "0123456789ABCDEF";
            quoted += "\\u00";
            quoted += hex[byte >> 4];
            quoted += hex[byte & 0xF];
        } else {
            quoted += c;
        }
    }
    return quoted + '"';
}

std::string value_text(const RawOptions& raw, const Member& member) {
    return std::visit(
        [&](auto field) -> std::string {
            const auto& value = raw.*field;
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
                return value;
            } else if constexpr (std::is_same_v<T, bool>) {
                return value ? "true" : "false";
            } else {
                return std::to_string(value);
            }
        },
        member);
}

// A TOML value into its option; an error message when its type is wrong.
std::optional<std::string> set_from_toml(RawOptions& raw, const Binding& binding, const toml::node& node) {
    return std::visit(
        [&](auto field) -> std::optional<std::string> {
            auto& value = raw.*field;
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
                if (const auto* text = node.as_string()) {
                    value = text->get();
                    return std::nullopt;
                }
                if (const auto* array = node.as_array(); array && binding.names.key == "hosts") {
                    std::string joined;
                    for (const auto& item : *array) {
                        const auto* host = item.as_string();
                        if (host == nullptr) return std::string("must be a string or an array of strings");
                        joined += (joined.empty() ? "" : ",") + host->get();
                    }
                    value = joined;
                    return std::nullopt;
                }
                return std::string("must be a string");
            } else if constexpr (std::is_same_v<T, bool>) {
                if (const auto* flag = node.as_boolean()) {
                    value = flag->get();
                    return std::nullopt;
                }
                return std::string("must be true or false");
            } else {
                const auto* number = node.as_integer();
                if (number == nullptr || number->get() < 0 ||
                    number->get() > static_cast<std::int64_t>(std::numeric_limits<int>::max())) {
                    return std::string("must be a whole number from 0 to ") +
                           std::to_string(std::numeric_limits<int>::max());
                }
                value = static_cast<T>(number->get());
                return std::nullopt;
            }
        },
        binding.member);
}

// An environment variable's text into its option; an error message when it does not fit.
std::optional<std::string> set_from_text(RawOptions& raw, const Binding& binding, std::string_view text) {
    return std::visit(
        [&](auto field) -> std::optional<std::string> {
            auto& value = raw.*field;
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
                value = std::string(text);
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, bool>) {
                if (text == "1" || text == "true" || text == "yes") {
                    value = true;
                } else if (text == "0" || text == "false" || text == "no" || text.empty()) {
                    value = false;
                } else {
                    return std::string("must be 1, true, yes, 0, false or no");
                }
                return std::nullopt;
            } else {
                T number{};
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
                if (ec != std::errc{} || end != text.data() + text.size()) return std::string("must be a whole number");
                value = number;
                return std::nullopt;
            }
        },
        binding.member);
}

std::string where(const Binding& binding, const Sources& sources) {
    const Source source = source_of(sources, binding.names.key);
    switch (source) {
        case Source::command_line: return std::string(binding.names.flag);
        case Source::environment: return std::string(binding.names.env);
        case Source::file: return std::string(binding.names.key) + " in the config file";
        case Source::default_value: break;
    }
    return std::string(binding.names.key);
}

}  // namespace

Source source_of(const Sources& sources, std::string_view key) {
    const auto found = sources.find(key);
    return found == sources.end() ? Source::default_value : found->second;
}

std::string_view source_name(Source source) {
    switch (source) {
        case Source::default_value: return "default";
        case Source::file: return "file";
        case Source::environment: return "environment";
        case Source::command_line: return "command line";
    }
    return "default";
}

const std::vector<SettingKey>& setting_keys() {
    static const std::vector<SettingKey> keys = [] {
        std::vector<SettingKey> names;
        for (const auto& binding : bindings()) names.push_back(binding.names);
        return names;
    }();
    return keys;
}

std::optional<std::string> config_flag(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") break;
        if (args[i] == "--config") {
            if (i + 1 == args.size()) throw ConfigError("--config needs a file");
            return args[i + 1];
        }
        if (args[i].starts_with("--config=")) return args[i].substr(9);
    }
    return std::nullopt;
}

std::optional<std::filesystem::path> config_path(const std::optional<std::string>& flag) {
    if (flag) return std::filesystem::path(*flag);
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
        base = xdg;
    } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        base = std::filesystem::path(home) / ".config";
    } else {
        return std::nullopt;
    }
    auto path = base / "cluster-client" / "config.toml";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    return path;
}

void apply_config_file(const std::filesystem::path& path, RawOptions& raw, Sources& sources) {
    const std::string name = "config " + path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(name + ": not a readable file");
    toml::table table;
    try {
        table = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        throw ConfigError(name + ": line " + std::to_string(error.source().begin.line) + ": " +
                          std::string(error.description()));
    }
    for (const auto& [key, node] : table) {
        // A plain variable for the lambda: clang before 16 cannot capture a structured binding.
        const std::string_view key_text = key.str();
        const auto binding = std::find_if(bindings().begin(), bindings().end(),
                                          [&](const Binding& b) { return b.names.key == key_text; });
        if (binding == bindings().end()) {
            throw ConfigError(name + ": unknown key '" + std::string(key.str()) + "' (known: " + known_keys() + ")");
        }
        if (auto why = set_from_toml(raw, *binding, node)) {
            throw ConfigError(name + ": " + std::string(key.str()) + " " + *why);
        }
        sources[std::string(binding->names.key)] = Source::file;
    }
}

void apply_environment(RawOptions& raw, Sources& sources, const EnvLookup& lookup) {
    for (const auto& binding : bindings()) {
        const char* text = lookup(std::string(binding.names.env).c_str());
        if (text == nullptr || (*text == '\0' && binding.names.key == "hosts")) continue;
        if (auto why = set_from_text(raw, binding, text)) {
            throw ConfigError(std::string(binding.names.env) + " " + *why + " (got '" + text + "')");
        }
        sources[std::string(binding.names.key)] = Source::environment;
    }
}

void check_choices(const RawOptions& raw, const Sources& sources) {
    for (const auto& binding : bindings()) {
        if (binding.choices.empty()) continue;
        const auto value = value_text(raw, binding.member);
        if (std::find(binding.choices.begin(), binding.choices.end(), value) != binding.choices.end()) continue;
        std::string allowed;
        for (const auto choice : binding.choices) allowed += (allowed.empty() ? "" : ", ") + std::string(choice);
        throw ConfigError(where(binding, sources) + " must be one of " + allowed + " (got '" + value + "')");
    }
}

void print_settings(std::ostream& out, const RawOptions& raw, const Sources& sources,
                    const std::optional<std::filesystem::path>& file, bool json) {
    const char* token = std::getenv("CLUSTER_CLIENT_TOKEN");
    const bool env_token = token != nullptr && *token != '\0';
    if (json) {
        boost::json::object settings;
        for (const auto& binding : bindings()) {
            settings[binding.names.key] = boost::json::object{
                {"value", value_text(raw, binding.member)},
                {"source", source_name(source_of(sources, binding.names.key))}};
        }
        boost::json::object root{{"config_file", file ? boost::json::value(file->string()) : boost::json::value()},
                                 {"token_from_environment", env_token},
                                 {"settings", std::move(settings)}};
        out << boost::json::serialize(root) << '\n';
        return;
    }
    out << "# config file: " << (file ? file->string() : std::string("none")) << '\n';
    for (const auto& binding : bindings()) {
        const auto source = source_name(source_of(sources, binding.names.key));
        std::ostringstream line;
        line << binding.names.key << " = ";
        // TOML: strings quoted, numbers and booleans bare, so the output is a valid file.
        if (std::holds_alternative<std::string RawOptions::*>(binding.member)) {
            line << toml_string(value_text(raw, binding.member));
        } else {
            line << value_text(raw, binding.member);
        }
        out << std::left << std::setw(44) << line.str() << " # " << source << '\n';
    }
    if (env_token) out << "# a bearer token is set by CLUSTER_CLIENT_TOKEN (not shown)\n";
}

}  // namespace cluster_client::cli
