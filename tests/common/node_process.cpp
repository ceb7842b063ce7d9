// SPDX-License-Identifier: MIT
#include "node_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>

extern char** environ;

namespace cluster_client::testing {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

struct Pipe {
    int read_end = -1;
    int write_end = -1;
};

// Close-on-exec, so that the child only keeps the ends it is given as stdout and stderr.
Pipe make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
    return {fds[0], fds[1]};
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

pid_t spawn(const std::vector<std::string>& args, int stdout_fd, int stderr_fd) {
    std::vector<std::string> storage;
    storage.reserve(args.size() + 1);
    storage.push_back(cluster_node_executable());
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    // The child starts with no blocked signals and default SIGINT / SIGTERM, whatever the
    // test runner did to its own (a background shell ignores SIGINT, for one).
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int error = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw std::system_error(error, std::generic_category(), "posix_spawn " + storage[0]);
    }
    return pid;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Polls `fd` until it is readable or `deadline`; false on timeout.
bool wait_readable(int fd, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd entry{fd, POLLIN, 0};
        const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) throw_errno("poll");
    }
}

// Appends what is available on `fd` to `out`; false at end of file.
bool read_some(int fd, std::string& out) {
    std::array<char, 4096> chunk{};
    for (;;) {
        const ssize_t size = ::read(fd, chunk.data(), chunk.size());
        if (size > 0) {
            out.append(chunk.data(), static_cast<std::size_t>(size));
            return true;
        }
        if (size == 0) return false;
        if (errno != EINTR) throw_errno("read");
    }
}

// What the node will print, from its arguments: --nodes (default 3) and --admin-port.
struct Expected {
    int nodes = 3;
    bool admin = false;
};

Expected expected_lines(const std::vector<std::string>& args) {
    Expected expected;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        std::string_view value;
        if (arg.starts_with("--nodes=")) {
            value = arg.substr(8);
        } else if (arg == "--nodes" && i + 1 < args.size()) {
            value = args[i + 1];
        }
        if (!value.empty()) {
            std::from_chars(value.data(), value.data() + value.size(), expected.nodes);
        }
        if (arg == "--admin-port" || arg.starts_with("--admin-port=")) expected.admin = true;
    }
    return expected;
}

}  // namespace

std::string cluster_node_executable() {
    return CLUSTER_NODE_EXE;
}

NodeProcess::NodeProcess(std::vector<std::string> args, std::chrono::milliseconds startup_timeout) {
    Pipe out = make_pipe();
    try {
        pid_ = spawn(args, out.write_end, -1);
    } catch (...) {
        close_fd(out.read_end);
        close_fd(out.write_end);
        throw;
    }
    close_fd(out.write_end);
    stdout_fd_ = out.read_end;

    const Expected expected = expected_lines(args);
    const auto deadline = Clock::now() + startup_timeout;
    std::string pending;
    const auto complete = [&] {
        return static_cast<int>(urls_.size()) >= expected.nodes && (!expected.admin || admin_url_);
    };
    try {
        while (!complete()) {
            if (!wait_readable(stdout_fd_, deadline)) {
                throw std::runtime_error("cluster-node printed no URLs in time, got: " + pending);
            }
            if (!read_some(stdout_fd_, pending)) {
                throw std::runtime_error("cluster-node exited with status " +
                                         std::to_string(wait(std::chrono::seconds(5))) + " before printing its URLs");
            }
            for (std::size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
                const std::string line = pending.substr(0, end);
                pending.erase(0, end + 1);
                if (line.starts_with("node ")) {
                    urls_.push_back(line.substr(line.rfind(' ') + 1));
                } else if (line.starts_with("admin ")) {
                    admin_url_ = line.substr(6);
                }
            }
        }
    } catch (...) {
        kill_and_reap();
        throw;
    }
}

NodeProcess::~NodeProcess() {
    kill_and_reap();
}

void NodeProcess::kill_and_reap() {
    if (pid_ > 0 && !exit_status_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        exit_status_ = decode_status(status);
    }
    close_fd(stdout_fd_);
}

void NodeProcess::kill(int signal) {
    if (pid_ > 0 && !exit_status_) ::kill(pid_, signal);
}

int NodeProcess::wait(std::chrono::milliseconds timeout) {
    if (exit_status_) return *exit_status_;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_status_ = decode_status(status);
            return *exit_status_;
        }
        if (done < 0 && errno != EINTR) throw_errno("waitpid");
        if (Clock::now() >= deadline) {
            throw std::runtime_error("cluster-node (pid " + std::to_string(pid_) + ") still runs after the timeout");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

ProcessResult run_cluster_node(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    pid_t pid = -1;
    try {
        pid = spawn(args, out.write_end, err.write_end);
    } catch (...) {
        for (int* fd : {&out.read_end, &out.write_end, &err.read_end, &err.write_end}) {
            close_fd(*fd);
        }
        throw;
    }
    close_fd(out.write_end);
    close_fd(err.write_end);

    ProcessResult result;
    const auto deadline = Clock::now() + timeout;
    std::array<pollfd, 2> fds{{{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open = 2;
    bool timed_out = false;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw_errno("poll");
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            if (!read_some(fds[i].fd, *sinks[i])) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (const pollfd& entry : fds) {
        if (entry.fd >= 0) ::close(entry.fd);
    }
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) throw std::runtime_error("cluster-node ran longer than the timeout");
    result.exit_status = decode_status(status);
    return result;
}

}  // namespace cluster_client::testing
