// SPDX-License-Identifier: MIT
// The config file: any text is either refused with a ConfigError naming the file and the
// rule, or applied; what was applied then passes or fails the checks the command line runs
// next (choices and rules, hosts, durations) with a ConfigError only; and the text
// `cluster-client config` prints, documented as a valid TOML file, reads back to the same
// values.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include <cluster_client/errors.hpp>

#include "check.hpp"
#include "http/endpoint.hpp"
#include "option_table.hpp"
#include "settings.hpp"
#include <cluster_client/duration.hpp>

namespace {

using cluster_client::ConfigError;
using cluster_client::cli::Settings;
using cluster_client::fuzz::broken;
using cluster_client::fuzz::printable;
using cluster_client::fuzz::require;

// The loader reads a path, so each input goes through one file in $TMPDIR, rewritten per run.
// run.sh points TMPDIR at its own directory in memory: a crash leaves nothing behind, and
// the disk does not set the pace.
std::filesystem::path scratch;

void remove_scratch() {
    std::error_code ignored;
    std::filesystem::remove(scratch, ignored);
}

void write_scratch(std::string_view text) {
    std::ofstream out(scratch, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    require(out.good(), "the scratch file can be written", [&] { return scratch.string(); });
}

// Every key's value as `config --output json` prints it; that output must be JSON too.
boost::json::object values_of(const Settings& settings) {
    std::ostringstream out;
    cluster_client::cli::print_settings(out, settings, true);
    boost::system::error_code ec;
    const boost::json::value root = boost::json::parse(out.str(), ec);
    require(!ec && root.is_object() && root.as_object().contains("settings"), "config --output json prints JSON",
            [&] { return printable(out.str()); });
    boost::json::object values;
    for (const auto& [key, setting] : root.at("settings").as_object()) values[key] = setting.at("value");
    return values;
}

void check_duration(const char* key, const std::string& text) {
    std::chrono::milliseconds value{};
    try {
        value = cluster_client::parse_duration(text);
    } catch (const ConfigError& error) {
        require(std::string_view(error.what()).starts_with("invalid duration"), "a bad duration names the rule",
                [&] { return error.what(); });
        return;
    }
    const std::string context = std::string(key) + " = \"" + printable(text) + "\"";
    require(value.count() >= 0, "a duration is never negative", [&] { return context; });
    // The config command prints durations with format_duration: it must read back exactly.
    const std::string shown = cluster_client::format_duration(value);
    try {
        require(cluster_client::parse_duration(shown) == value, "a formatted duration parses to itself",
                [&] { return context + " -> " + shown; });
    } catch (const ConfigError& error) {
        broken("a formatted duration parses again", context + " -> " + shown + ": " + error.what());
    }
}

// What the command line does with the file's values before anything is sent.
void check_applied(const Settings& settings) {
    try {
        cluster_client::cli::check_settings(settings);
    } catch (const ConfigError& error) {
        require(std::string_view(error.what()).starts_with("config " + scratch.string() + " key "),
                "a value a rule refuses is named by its file and key", [&] { return error.what(); });
    }
    if (!settings.value("hosts").empty()) {
        try {
            (void)cluster_client::http::parse_host_list(settings.value("hosts"));
        } catch (const ConfigError&) {
            // The host rules have their own target; here only the exception's type matters.
        }
    }
    for (const auto& row : cluster_client::cli::option_table()) {
        if (row.kind != cluster_client::cli::ValueKind::duration) continue;
        check_duration(std::string(row.name).c_str(), settings.value(row.name));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string name = (std::filesystem::temp_directory_path() / "cluster-client-config-fuzz-XXXXXX").string();
    const int fd = ::mkstemp(name.data());
    require(fd >= 0, "a scratch file can be created", [&] { return name; });
    ::close(fd);
    scratch = name;
    std::atexit(remove_scratch);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    write_scratch(text);

    auto settings = Settings::defaults();
    // Only ConfigError is caught: anything else toml++ or the loader throws escapes and is
    // reported as a crash.
    try {
        cluster_client::cli::apply_config_file(scratch, settings);
    } catch (const ConfigError& error) {
        const std::string prefix = "config " + scratch.string();
        const std::string_view message = error.what();
        require((message.starts_with(prefix + ": ") || message.starts_with(prefix + " key ")) &&
                    message.size() > prefix.size() + 2,
                "a refused config file names the file and the rule", [&] { return printable(message); });
        return 0;
    }
    for (const auto& entry : settings.sources) {
        require(entry.second == cluster_client::cli::Source::file, "the file's keys come from the file",
                [&] { return entry.first; });
    }
    check_applied(settings);

    // `cluster-client config` promises a valid TOML file: feed it back and compare.
    std::ostringstream shown;
    cluster_client::cli::print_settings(shown, settings, false);
    write_scratch(shown.str());
    auto again = Settings::defaults();
    try {
        cluster_client::cli::apply_config_file(scratch, again);
    } catch (const ConfigError& error) {
        broken("the output of `cluster-client config` is a config file that loads",
               "input \"" + printable(text) + "\"\n  output \"" + printable(shown.str()) + "\"\n  " +
                   printable(error.what()));
    }
    require(values_of(again) == values_of(settings), "the output of `cluster-client config` loads to the same values",
            [&] { return "input \"" + printable(text) + "\"\n  output \"" + printable(shown.str()) + "\""; });
    return 0;
}
