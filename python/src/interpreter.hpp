// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>

namespace cluster_client::python {

/// False once the interpreter has begun to exit (the package's atexit hook): from then on no
/// thread of the library calls into Python, and references it holds are left, not dropped.
inline std::atomic<bool> python_open{true};

}  // namespace cluster_client::python
