// SPDX-License-Identifier: MIT
#include "packet_filter.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace cluster_client::testing {

namespace {

constexpr const char* requests_chain = "lost-requests";
constexpr const char* answers_chain = "lost-answers";

struct Hook {
    const char* builtin;
    const char* chain;
};
constexpr Hook hooks[] = {{"INPUT", requests_chain}, {"OUTPUT", answers_chain}};

std::string iptables_program() {
    const char* configured = std::getenv("CLUSTER_CLIENT_IPTABLES");
    return configured != nullptr && *configured != '\0' ? configured : "iptables";
}

std::string joined(const std::vector<std::string>& arguments) {
    std::string text;
    for (const auto& argument : arguments) text += (text.empty() ? "" : " ") + argument;
    return text;
}

// Exit status of the program, or -1 when it could not be started. posix_spawn, not
// system(): the arguments reach iptables as they are, with no shell in between. `quiet`
// sends its complaints to /dev/null, for cleanups of what may not exist; `output`, when
// given, receives what it prints.
int run_program(const std::vector<std::string>& arguments, bool quiet, std::string* output = nullptr) {
    std::vector<char*> argv;
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    int pipe_ends[2] = {-1, -1};
    if (output != nullptr && pipe(pipe_ends) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (quiet) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    if (output != nullptr) {
        posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
        posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
    }
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (output != nullptr) {
        close(pipe_ends[1]);
        char buffer[4096];
        for (;;) {
            const ssize_t n = read(pipe_ends[0], buffer, sizeof buffer);
            if (n > 0) {
                output->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                break;
            }
        }
        close(pipe_ends[0]);
    }
    if (spawned != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string port_text(std::uint16_t port) {
    return std::to_string(port);
}

// The match of the packets one rule drops: requests to `port` in the requests chain,
// answers from it in the answers chain.
std::vector<std::string> to_port(std::uint16_t port) {
    return {"-p", "tcp", "--dport", port_text(port)};
}
std::vector<std::string> from_port(std::uint16_t port) {
    return {"-p", "tcp", "--sport", port_text(port)};
}

std::vector<std::string> with(std::vector<std::string> match, const std::vector<std::string>& more) {
    match.insert(match.end(), more.begin(), more.end());
    return match;
}

std::vector<std::string> rule(const char* operation, const char* chain, std::vector<std::string> match) {
    std::vector<std::string> arguments{operation, chain};
    arguments.insert(arguments.end(), match.begin(), match.end());
    arguments.insert(arguments.end(), {"-j", "DROP"});
    return arguments;
}

std::vector<std::string> random_drop(double probability) {
    std::ostringstream text;
    text << probability;
    return {"-m", "statistic", "--mode", "random", "--probability", text.str()};
}

struct Queues {
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;
    unsigned long tx = 0;
    unsigned long rx = 0;
};

// One line of /proc/net/tcp: "sl local:port remote:port st tx:rx ...", numbers in hex.
std::optional<Queues> parse_socket_line(const std::string& line) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    if (!(fields >> slot >> local >> remote >> state >> queues)) return std::nullopt;
    const auto port_of = [](const std::string& address) -> std::optional<std::uint16_t> {
        const auto colon = address.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        return static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1), nullptr, 16));
    };
    const auto colon = queues.find(':');
    const auto local_port = port_of(local);
    const auto remote_port = port_of(remote);
    if (colon == std::string::npos || !local_port || !remote_port) return std::nullopt;
    return Queues{*local_port, *remote_port, std::stoul(queues.substr(0, colon), nullptr, 16),
                  std::stoul(queues.substr(colon + 1), nullptr, 16)};
}

}  // namespace

bool requests_in_flight(const std::vector<std::uint16_t>& ports) {
    const auto is_node = [&](std::uint16_t port) { return std::find(ports.begin(), ports.end(), port) != ports.end(); };
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line);  // the header
        while (std::getline(file, line)) {
            const auto socket = parse_socket_line(line);
            if (!socket) continue;
            if (is_node(socket->remote_port) && socket->tx > 0) return true;  // a client's unsent request
            if (is_node(socket->local_port) && socket->rx > 0) return true;   // a node's unread request
        }
    }
    return false;
}

std::optional<std::string> private_namespace_problem() {
    const char* name = std::getenv("CLUSTER_CLIENT_NETNS");
    if (name == nullptr || *name == '\0') {
        return "not started in a network namespace of its own (run it through tests/netns/run.sh)";
    }
    // `ip netns add` pins the namespace on a file named after it: this process must be in
    // that very namespace, not merely have the variable set.
    const std::string pinned = std::string("/run/netns/") + name;
    struct stat ours {};
    struct stat named {};
    if (stat("/proc/self/ns/net", &ours) != 0 || stat(pinned.c_str(), &named) != 0) {
        return "cannot compare this process's network namespace with " + pinned;
    }
    if (ours.st_ino != named.st_ino || ours.st_dev != named.st_dev) {
        return std::string("this process is not in the network namespace ") + name +
               "; its iptables rules could drop real traffic";
    }
    return std::nullopt;
}

PacketFilter::PacketFilter() {
    // Chains left by a test that crashed in this namespace would double the faults.
    remove_chains();
    for (const auto& hook : hooks) {
        run({"-N", hook.chain});
        run({"-A", hook.builtin, "-j", hook.chain});
    }
}

PacketFilter::~PacketFilter() {
    remove_chains();
}

void PacketFilter::remove_chains() noexcept {
    for (const auto& hook : hooks) {
        run_quietly({"-D", hook.builtin, "-j", hook.chain});
        run_quietly({"-F", hook.chain});
        run_quietly({"-X", hook.chain});
    }
}

void PacketFilter::lose(std::uint16_t port, double probability) {
    const std::lock_guard lock(mutex_);
    run(rule("-A", requests_chain, with(to_port(port), random_drop(probability))));
    run(rule("-A", answers_chain, with(from_port(port), random_drop(probability))));
}

void PacketFilter::cut(std::uint16_t port) {
    const std::lock_guard lock(mutex_);
    run(rule("-A", requests_chain, to_port(port)));
    run(rule("-A", answers_chain, from_port(port)));
}

void PacketFilter::heal(std::uint16_t port) {
    const std::lock_guard lock(mutex_);
    const auto before = counted();
    run(rule("-D", requests_chain, to_port(port)));
    run(rule("-D", answers_chain, from_port(port)));
    dropped_by_removed_rules_ += before - counted();
}

void PacketFilter::lose_requests_with(std::uint16_t port, const std::string& text) {
    const std::lock_guard lock(mutex_);
    run(rule("-A", requests_chain, with(to_port(port), {"-m", "string", "--algo", "bm", "--string", text})));
}

void PacketFilter::heal_all() {
    const std::lock_guard lock(mutex_);
    dropped_by_removed_rules_ += counted();
    for (const auto& hook : hooks) run({"-F", hook.chain});
}

std::uint64_t PacketFilter::dropped() {
    const std::lock_guard lock(mutex_);
    return dropped_by_removed_rules_ + counted();
}

std::uint64_t PacketFilter::counted() {
    std::uint64_t packets = 0;
    for (const auto& hook : hooks) {
        // With -x the first column of every rule line is its exact packet count; the two
        // header lines do not start with a number.
        std::istringstream lines(run({"-L", hook.chain, "-n", "-v", "-x"}));
        std::string line;
        while (std::getline(lines, line)) {
            std::istringstream fields(line);
            std::uint64_t count = 0;
            if (fields >> count) packets += count;
        }
    }
    return packets;
}

std::string PacketFilter::run(const std::vector<std::string>& arguments) {
    std::vector<std::string> command{iptables_program(), "-w"};
    command.insert(command.end(), arguments.begin(), arguments.end());
    std::string output;
    if (const int status = run_program(command, false, &output); status != 0) {
        throw std::runtime_error(joined(command) + ": exit status " + std::to_string(status));
    }
    return output;
}

void PacketFilter::run_quietly(const std::vector<std::string>& arguments) noexcept {
    std::vector<std::string> command{iptables_program(), "-w"};
    command.insert(command.end(), arguments.begin(), arguments.end());
    run_program(command, true);
}

bool wait_until_delivered(const std::vector<std::uint16_t>& ports, std::chrono::milliseconds limit) {
    using namespace std::chrono_literals;
    const auto give_up = std::chrono::steady_clock::now() + limit;
    // Twice in a row, some time apart: a node handles what it read a moment after reading.
    int quiet_checks = 0;
    while (quiet_checks < 2) {
        quiet_checks = requests_in_flight(ports) ? 0 : quiet_checks + 1;
        if (quiet_checks < 2 && std::chrono::steady_clock::now() >= give_up) return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

}  // namespace cluster_client::testing
