// SPDX-License-Identifier: MIT
#include "settings.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <sstream>

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <cluster_client/errors.hpp>
#include <cluster_client/options.hpp>
#include <cluster_client/version.hpp>

#include "option_table.hpp"
#include "option_value.hpp"

namespace cluster_client::cli {

namespace {

const OptionRow& row_of(std::string_view name) {
    const auto* row = find_option(name);
    if (row == nullptr) throw std::logic_error("no option named " + std::string(name));
    return *row;
}

std::string known_keys() {
    std::string keys;
    for (const auto& row : option_table()) keys += (keys.empty() ? "" : ", ") + std::string(row.name);
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

// A TOML value as the text of its option; nullopt when the TOML type is not the option's.
std::optional<std::string> toml_text(const OptionRow& row, const toml::node& node) {
    switch (row.kind) {
        case ValueKind::count:
            if (const auto* number = node.as_integer()) return std::to_string(number->get());
            return std::nullopt;
        case ValueKind::flag:
            if (const auto* flag = node.as_boolean()) return flag->get() ? "true" : "false";
            return std::nullopt;
        default: break;
    }
    if (const auto* text = node.as_string()) return text->get();
    if (const auto* array = node.as_array(); array && row.name == "hosts") {
        std::string joined;
        for (const auto& item : *array) {
            const auto* host = item.as_string();
            if (host == nullptr) return std::nullopt;
            joined += (joined.empty() ? "" : ",") + host->get();
        }
        return joined;
    }
    return std::nullopt;
}

std::string_view toml_type(const OptionRow& row) {
    switch (row.kind) {
        case ValueKind::count: return "must be a whole number";
        case ValueKind::flag: return "must be true or false";
        default: break;
    }
    return row.name == "hosts" ? "must be a string or an array of strings" : "must be a string";
}

}  // namespace

std::string_view source_name(Source source) {
    switch (source) {
        case Source::default_value: return "default";
        case Source::file: return "file";
        case Source::environment: return "environment";
        case Source::command_line: return "command line";
        case Source::argument: return "argument";
    }
    return "default";
}

Settings Settings::defaults() {
    Settings settings;
    for (const auto& row : option_table()) settings.values.emplace(row.name, row.default_value);
    return settings;
}

const std::string& Settings::value(std::string_view name) const {
    const auto found = values.find(name);
    if (found == values.end()) throw std::logic_error("no option named " + std::string(name));
    return found->second;
}

bool Settings::is_on(std::string_view name) const {
    return as_flag(value(name));
}

Source Settings::source(std::string_view name) const {
    const auto found = sources.find(name);
    return found == sources.end() ? Source::default_value : found->second;
}

std::string Settings::where(std::string_view name) const {
    const auto& row = row_of(name);
    switch (source(name)) {
        case Source::command_line: return row.flag();
        case Source::argument: return "argument " + std::string(row.name);
        case Source::environment: return row.environment();
        case Source::file:
            return "config " + (file ? file->string() : std::string("file")) + " key " + std::string(row.name);
        case Source::default_value: break;
    }
    return std::string(row.name) + " (default)";
}

void Settings::set(std::string_view name, std::string_view text, Source from) {
    const auto& row = row_of(name);
    sources[std::string(name)] = from;
    if (auto why = type_error(row.kind, text)) {
        throw ConfigError(where(name) + ": " + *why);
    }
    values[std::string(name)] = row.kind == ValueKind::flag ? *flag_text(text) : std::string(text);
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

void apply_config_file(const std::filesystem::path& path, Settings& settings) {
    const std::string name = "config " + path.string();
    settings.file = path;
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
        const auto* row = find_option(key.str());
        if (row == nullptr) {
            throw ConfigError(name + ": unknown key '" + std::string(key.str()) + "' (known: " + known_keys() + ")");
        }
        const auto text = toml_text(*row, node);
        if (!text) throw ConfigError(name + " key " + std::string(row->name) + ": " + std::string(toml_type(*row)));
        settings.set(row->name, *text, Source::file);
    }
}

void apply_environment(Settings& settings, const EnvLookup& lookup) {
    for (const auto& row : option_table()) {
        const char* text = lookup(row.environment().c_str());
        if (text == nullptr || (*text == '\0' && row.name == "hosts")) continue;
        settings.set(row.name, text, Source::environment);
    }
}

void check_settings(const Settings& settings) {
    for (const auto& row : option_table()) {
        const auto& value = settings.value(row.name);
        if (!row.choices.empty() && std::find(row.choices.begin(), row.choices.end(), value) == row.choices.end()) {
            std::string allowed;
            for (const auto choice : row.choices) allowed += (allowed.empty() ? "" : ", ") + std::string(choice);
            throw ConfigError(settings.where(row.name) + ": must be one of " + allowed + " (got '" + value + "')");
        }
        if (row.rule == nullptr) continue;
        if (auto why = row.rule(value)) throw ConfigError(settings.where(row.name) + ": " + *why);
    }
}

namespace {

// A value as JSON of its kind: a count as a number, a flag as a boolean, the rest as text.
boost::json::value json_value(const OptionRow& row, const std::string& text) {
    if (row.kind == ValueKind::flag) return boost::json::value(text == "true");
    if (row.kind == ValueKind::count) {
        std::int64_t number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (error == std::errc{} && end == text.data() + text.size()) return boost::json::value(number);
    }
    return boost::json::value(text);
}

// The state directory the saga log would be in: the setting, else the default one; why not,
// when there is no home directory to put it under.
std::string effective_state_dir(const Settings& settings) {
    if (!settings.value("state_dir").empty()) return settings.value("state_dir");
    try {
        return default_state_dir();
    } catch (const ConfigError& error) {
        return std::string("none: ") + error.what();
    }
}

}  // namespace

void print_settings(std::ostream& out, const Settings& settings, bool json) {
    const char* token = std::getenv("CLUSTER_CLIENT_TOKEN");
    const bool env_token = token != nullptr && *token != '\0';
    const auto& file = settings.file;
    if (json) {
        boost::json::object entries;
        for (const auto& row : option_table()) {
            const auto& value = settings.value(row.name);
            entries[row.name] = boost::json::object{{"value", json_value(row, row.shown ? row.shown(value) : value)},
                                                    {"source", source_name(settings.source(row.name))}};
        }
        boost::json::object root{{"version", cluster_client::version},
                                 {"config_file", file ? boost::json::value(file->string()) : boost::json::value()},
                                 {"state_dir", effective_state_dir(settings)},
                                 {"token_from_environment", env_token},
                                 {"settings", std::move(entries)}};
        out << boost::json::serialize(root) << '\n';
        return;
    }
    out << "# cluster-client " << cluster_client::version << '\n';
    out << "# config file: " << (file ? file->string() : std::string("none")) << '\n';
    out << "# state directory: " << toml_string(effective_state_dir(settings)) << '\n';
    for (const auto& row : option_table()) {
        std::ostringstream line;
        line << row.name << " = ";
        // TOML: strings quoted, numbers and booleans bare, so the output is a valid file.
        const auto value = row.shown ? row.shown(settings.value(row.name)) : settings.value(row.name);
        if (row.kind == ValueKind::count || row.kind == ValueKind::flag) {
            line << value;
        } else {
            line << toml_string(value);
        }
        out << std::left << std::setw(44) << line.str() << " # " << source_name(settings.source(row.name)) << '\n';
    }
    if (env_token) out << "# a bearer token is set by CLUSTER_CLIENT_TOKEN (not shown)\n";
}

}  // namespace cluster_client::cli
