// SPDX-License-Identifier: MIT
#include "program.hpp"

#include <boost/json/parse.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace cluster_client::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
    int read_end = -1;
    int write_end = -1;
};

Pipe make_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    return {fds[0], fds[1]};
}

std::vector<std::string> child_environment(const ProgramOptions& options) {
    std::map<std::string, std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos) variables[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [name, value] : options.env) {
        if (value) {
            variables[name] = *value;
        } else {
            variables.erase(name);
        }
    }
    std::vector<std::string> result;
    for (const auto& [name, value] : variables) result.push_back(name + "=" + value);
    return result;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

ProgramResult run_program(const std::string& executable, const std::vector<std::string>& args,
                          const ProgramOptions& options) {
    Pipe in = make_pipe();
    Pipe out = make_pipe();
    Pipe err = make_pipe();

    std::vector<std::string> argv_storage{executable};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto env_storage = child_environment(options);
    std::vector<char*> envp;
    for (auto& entry : env_storage) envp.push_back(entry.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read_end, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
    posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);
    pid_t pid = -1;
    const int spawn_error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    for (int fd : {in.read_end, out.write_end, err.write_end}) ::close(fd);
    if (spawn_error != 0) {
        for (int fd : {in.write_end, out.read_end, err.read_end}) ::close(fd);
        throw std::system_error(spawn_error, std::generic_category(), "posix_spawn " + executable);
    }

    if (options.started_pid != nullptr) options.started_pid->store(pid);
    ProgramResult result;
    std::size_t written = 0;
    if (options.input.empty()) {
        ::close(in.write_end);
        in.write_end = -1;
    } else {
        ::fcntl(in.write_end, F_SETFL, O_NONBLOCK);
    }
    std::array<pollfd, 3> fds{{{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}, {in.write_end, POLLOUT, 0}}};
    const auto started = Clock::now();
    const auto deadline = started + options.timeout;
    bool timed_out = false;
    bool killed = false;
    std::size_t lines_out = 0;
    const auto kill_time_due = [&] { return !options.kill_after || Clock::now() >= started + *options.kill_after; };
    const auto kill_due = [&] {
        if (!options.kill_after && !options.kill_after_lines) return false;
        return kill_time_due() && (!options.kill_after_lines || lines_out >= *options.kill_after_lines);
    };
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (!killed && kill_due()) {
            ::kill(pid, SIGKILL);
            killed = true;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (options.kill_after && !killed && !kill_time_due()) {
            // Wake up for the kill; at least 1 ms, so that the kill time passing meanwhile
            // is not taken for the timeout.
            const auto to_kill =
                std::chrono::duration_cast<std::chrono::milliseconds>(started + *options.kill_after - Clock::now()) +
                std::chrono::milliseconds(1);
            left = std::min(left, std::max(to_kill, std::chrono::milliseconds(1)));
        }
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        for (std::size_t i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            std::array<char, 65536> buffer{};
            const auto n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer.data(), static_cast<std::size_t>(n));
                if (i == 0) {
                    lines_out += static_cast<std::size_t>(
                        std::count(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n), '\n'));
                }
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
        if (fds[2].fd >= 0 && fds[2].revents != 0) {
            const auto n = ::write(fds[2].fd, options.input.data() + written, options.input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 && errno != EAGAIN && errno != EINTR) written = options.input.size();
            if (written == options.input.size()) {
                ::close(fds[2].fd);
                fds[2].fd = -1;
            }
        }
    }
    for (const auto& entry : fds) {
        if (entry.fd >= 0) ::close(entry.fd);
    }
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out)
        throw std::runtime_error(executable + " ran longer than " + std::to_string(options.timeout.count()) + "ms");
    result.exit_status = decode_status(status);
    return result;
}

std::vector<boost::json::object> json_lines(const std::string& out) {
    std::vector<boost::json::object> lines;
    std::size_t start = 0;
    while (start < out.size()) {
        const auto end = out.find('\n', start);
        lines.push_back(boost::json::parse(out.substr(start, end - start)).as_object());
        start = end == std::string::npos ? out.size() : end + 1;
    }
    return lines;
}

}  // namespace cluster_client::testing
