// SPDX-License-Identifier: MIT
#pragma once

#include "saga/log_records.hpp"

namespace cluster_client::saga {

/// This process, as the saga log names a saga's owner (its pid and its start time from
/// /proc). It costs a file read: callers keep it.
Owner this_process();

/// True when `owner` is still running (same pid and same start time; a zombie is not
/// running). With an empty start time, only the pid is checked.
bool is_running(const Owner& owner);

}  // namespace cluster_client::saga
