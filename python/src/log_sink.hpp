// SPDX-License-Identifier: MIT
#pragma once

namespace cluster_client::python {

/// Sends the library's log lines to Python's logging, to the logger `cluster_client`, each
/// at the logging level of its own; lines below `python_level` (a logging level number: the
/// logger's effective level) are not even formatted. Nothing goes to stdout. Call with the
/// GIL held.
void log_to_python(int python_level);

}  // namespace cluster_client::python
