// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

#include <boost/asio/io_context.hpp>

#include <cluster_client/cluster_client.hpp>

#include "output.hpp"

namespace cluster_client::cli {

/// `sagas`: the open sagas and the `limit` most recent ones of the saga log of `options`,
/// with each host's state and recorded facts. Returns the exit code.
int run_sagas_command(ClientOptions options, std::size_t limit, OutputFormat format, std::ostream& out);

/// `recover`: finishes or compensates every open saga of the log that no live process runs,
/// on the hosts each saga was started with. `options` gives the retry and log settings (its
/// hosts are ignored). Exit 0 when every saga is closed, 3 when some stay open (named).
int run_recover_command(ClientOptions options, OutputFormat format, std::ostream& out, std::ostream& err);

/// `prune`: deletes from the saga log of `options` every saga that ended more than
/// `older_than` ago, never an open one, and says how many. Exit 0.
int run_prune_command(ClientOptions options, std::chrono::milliseconds older_than, OutputFormat format,
                      std::ostream& out);

/// The retention of a saga command: once its sagas have ended, deletes the sagas of
/// `client`'s log that ended more than `retention` ago (0: none), on `io`. A failure is a
/// warning on `err`: the command's own sagas are done.
void apply_retention(boost::asio::io_context& io, ClusterClient& client, std::chrono::milliseconds retention,
                     std::ostream& err);

}  // namespace cluster_client::cli
