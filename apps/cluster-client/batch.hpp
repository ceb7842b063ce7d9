// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <cluster_client/cluster_client.hpp>

#include "output.hpp"

namespace cluster_client::cli {

/// Where a batch's group ids come from: the command line, or a file / stdin read one id
/// per line (blank lines skipped). Ids are validated before they are handed out.
class IdSource {
public:
    /// From the command line: every id is validated now, before any request is sent.
    static IdSource from_args(std::vector<std::string> ids);
    /// From a file ("-" for stdin). A regular file is read once up front to validate every
    /// line, so a bad line stops the batch before any request; stdin is checked as it is
    /// read. Throws ConfigError when the file cannot be opened or a line is not a valid id.
    static IdSource from_file(const std::string& path);

    /// The next id, or nullopt at the end. Throws InvalidGroupId naming the line.
    std::optional<std::string> next();
    /// How many ids there are, when known in advance.
    std::optional<std::size_t> total() const { return total_; }

private:
    std::vector<std::string> ids_;
    std::size_t position_ = 0;
    std::shared_ptr<std::istream> stream_;
    std::size_t line_ = 0;
    std::optional<std::size_t> total_;
};

/// How a batch ended.
struct BatchTotals {
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::size_t left_open = 0;
    std::optional<std::string> input_error;  ///< a bad id met while reading stdin
    /// The saga log failed (a full disk, an I/O error): the batch stops, and the sagas
    /// under way may be open, for `recover` to finish.
    std::optional<std::string> log_error;
};

/// Where a batch's progress line goes.
struct ProgressTarget {
    std::ostream* out = nullptr;   ///< a terminal; null: no progress line
    bool shares_terminal = false;  ///< the reports are printed to the same terminal
};

/// How a batch runs.
struct BatchOptions {
    std::size_t concurrency = 16;       ///< sagas at once
    bool not_found_is_success = false;  ///< delete --ignore-not-found: `not_found` counts as ok
};

/// Runs the saga `operation` for every id of `ids`, `options.concurrency` at a time, printing
/// each result as it ends (streamed: nothing accumulates), with a progress line on `progress`.
BatchTotals run_batch(boost::asio::io_context& io, ClusterClient& client, Operation operation, IdSource& ids,
                      const BatchOptions& options, OutputFormat format, std::ostream& out,
                      const ProgressTarget& progress);

}  // namespace cluster_client::cli
