// SPDX-License-Identifier: MIT
#include "saga/owner.hpp"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include <signal.h>
#include <unistd.h>

namespace cluster_client::saga {

namespace {

struct ProcStat {
    char state = '?';
    std::string start_time;
};

// The process name (field 2) may hold spaces and parentheses, so the fields are counted
// from the last ')' on; the start time is field 22, in clock ticks since boot.
std::optional<ProcStat> read_proc_stat(const std::string& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto name_end = text.rfind(')');
    if (name_end == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(name_end + 1));
    ProcStat stat;
    std::string field;
    for (int number = 3; number <= 22; ++number) {
        if (!(fields >> field)) return std::nullopt;
        if (number == 3) stat.state = field.empty() ? '?' : field.front();
    }
    stat.start_time = field;
    return stat;
}

}  // namespace

Owner this_process() {
    Owner owner;
    owner.pid = static_cast<std::int64_t>(::getpid());
    if (const auto stat = read_proc_stat("/proc/self/stat")) owner.start_time = stat->start_time;
    return owner;
}

bool is_running(const Owner& owner) {
    const auto pid = owner.pid;
    if (pid <= 0 || pid > static_cast<std::int64_t>(std::numeric_limits<pid_t>::max())) return false;
    if (owner.start_time.empty()) {
        return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
    }
    const auto stat = read_proc_stat("/proc/" + std::to_string(pid) + "/stat");
    // A zombie has stopped for good; only its parent has not reaped it yet.
    return stat && stat->start_time == owner.start_time && stat->state != 'Z' && stat->state != 'X';
}

}  // namespace cluster_client::saga
