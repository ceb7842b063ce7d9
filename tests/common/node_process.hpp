// SPDX-License-Identifier: MIT
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cluster_client::testing {

/// The path of the built cluster-node executable.
std::string cluster_node_executable();

/// A cluster-node process started with `args`. The constructor waits (up to
/// `startup_timeout`) until the process has printed its "node <i> <url>" lines (as many as
/// --nodes says, 3 by default) and, when --admin-port is given, its "admin <url>" line; it
/// throws std::runtime_error when the process exits or stays silent instead. The destructor
/// kills (SIGKILL) and reaps a process still running.
class NodeProcess {
public:
    explicit NodeProcess(std::vector<std::string> args,
                         std::chrono::milliseconds startup_timeout = std::chrono::seconds(10));
    ~NodeProcess();
    NodeProcess(const NodeProcess&) = delete;
    NodeProcess& operator=(const NodeProcess&) = delete;

    const std::vector<std::string>& urls() const { return urls_; }
    /// nullopt when the process was started without --admin-port.
    const std::optional<std::string>& admin_url() const { return admin_url_; }
    pid_t pid() const { return pid_; }

    /// Sends `signal` to the process (if it was not reaped yet).
    void kill(int signal);
    /// Waits for the process to end: its exit code, or 128 + the signal that killed it.
    /// Throws std::runtime_error when it is still running after `timeout`.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    void kill_and_reap();

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::optional<int> exit_status_;
    std::vector<std::string> urls_;
    std::optional<std::string> admin_url_;
};

/// What a run of cluster-node to completion produced.
struct ProcessResult {
    int exit_status = -1;
    std::string out;
    std::string err;
};

/// Runs cluster-node with `args` to completion (for usage errors and --help), capturing its
/// output. Kills it and throws std::runtime_error when it runs longer than `timeout`.
ProcessResult run_cluster_node(const std::vector<std::string>& args,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace cluster_client::testing
