// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

namespace cluster_client::testing {

/// What a program run to completion produced.
struct ProgramResult {
    int exit_status = -1;  ///< the exit code, or 128 + the signal that killed it
    std::string out;
    std::string err;
};

struct ProgramOptions {
    /// Variables to set (a value) or remove (nullopt) in the child's environment.
    std::vector<std::pair<std::string, std::optional<std::string>>> env;
    /// Written to the child's stdin, which is then closed.
    std::string input;
    /// The child is killed (and std::runtime_error thrown) when it runs longer.
    std::chrono::milliseconds timeout = std::chrono::seconds(60);
    /// When set, the child is sent SIGKILL this long after it started, as a crash would end
    /// it; the result then says 137 unless it had already exited.
    std::optional<std::chrono::milliseconds> kill_after;
    /// When set, the child is sent SIGKILL as soon as its stdout holds this many complete
    /// lines (and kill_after has passed, when both are set): a crash at a known point of its
    /// progress, with the rest of its work still to do.
    std::optional<std::size_t> kill_after_lines;
    /// When set, receives the child's pid as soon as it runs, for a test that signals it
    /// from another thread while run_program waits for it.
    std::atomic<int>* started_pid = nullptr;
};

/// Runs `executable` with `args` to completion, capturing stdout and stderr.
ProgramResult run_program(const std::string& executable, const std::vector<std::string>& args,
                          const ProgramOptions& options = {});

/// Parses output made of one JSON object per line (throws on anything else).
std::vector<boost::json::object> json_lines(const std::string& out);

}  // namespace cluster_client::testing
