// SPDX-License-Identifier: MIT
#include "log/state_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cluster_client/errors.hpp>

namespace cluster_client::log {

namespace {

constexpr const char* app_dir = "cluster-client";

std::filesystem::path home_dir() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
    // Services and cron jobs may run without HOME.
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr && *found->pw_dir != '\0') {
        return found->pw_dir;
    }
    throw ConfigError(
        "no state directory: HOME is not set and the user has no home directory; give one with "
        "--state-dir or XDG_STATE_HOME");
}

}  // namespace

std::filesystem::path default_state_dir() {
    // The XDG base directory rules ignore a relative XDG_STATE_HOME.
    if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') {
        return std::filesystem::path(state) / app_dir;
    }
    return home_dir() / ".local" / "state" / app_dir;
}

void prepare_state_dir(const std::filesystem::path& dir) {
    if (dir.empty()) throw ConfigError("the state directory is empty");
    // Component by component, so every directory made here is private to the user, not only
    // the last one (create_directories would leave the parents to the umask).
    std::filesystem::path prefix;
    for (const auto& part : dir.lexically_normal()) {
        prefix /= part;
        if (part.empty()) continue;
        if (::mkdir(prefix.c_str(), 0700) == 0) {
            ::chmod(prefix.c_str(), 0700);  // the umask may have taken bits off
        } else if (errno != EEXIST) {
            const std::error_code error(errno, std::system_category());
            throw ConfigError("cannot create state directory " + dir.string() + ": " + prefix.string() + ": " +
                              error.message());
        }
    }
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) {
        throw ConfigError("state directory " + dir.string() + " is not a directory");
    }
}

std::filesystem::path saga_log_path(const std::filesystem::path& dir) {
    return dir / "sagas.db";
}

}  // namespace cluster_client::log
