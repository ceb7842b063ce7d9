// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace cluster_client::python {

/// The logger every client of the package logs to: its lines go to Python's logging, to the
/// logger `cluster_client`, each at the logging level of its own. Nothing goes to stdout.
/// Made at the first call, which must hold the GIL.
std::shared_ptr<spdlog::logger> python_logger();

/// Sets python_logger()'s level: lines below `python_level` (a logging level number: the
/// logger's effective level) are not even formatted. Call with the GIL held.
void log_to_python(int python_level);

}  // namespace cluster_client::python
