// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

#include <cluster_client/options.hpp>

#include "output.hpp"

namespace cluster_client::cli {

/// `sagas`: the open sagas and the `limit` most recent ones of the saga log of `options`,
/// with each host's state and recorded facts. Returns the exit code.
int run_sagas_command(ClientOptions options, std::size_t limit, OutputFormat format, std::ostream& out);

/// `recover`: finishes or compensates every open saga of the log that no live process runs,
/// on the hosts each saga was started with. `options` gives the retry and log settings (its
/// hosts are ignored). Exit 0 when every saga is closed, 3 when some stay open (named).
int run_recover_command(ClientOptions options, OutputFormat format, std::ostream& out, std::ostream& err);

}  // namespace cluster_client::cli
