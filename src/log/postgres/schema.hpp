// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "log/postgres/connection.hpp"

namespace cluster_client::log::postgres {

/// The version of the log's tables and functions this program writes. Version 1 is the
/// first; a new version appends a migration and never changes a released one.
inline constexpr int schema_version = 1;

/// Creates the log's schema `schema` on first use, or migrates an older one; refuses one
/// written by a newer version. Concurrent coordinators are serialised by an advisory lock,
/// so the schema is created once. Throws SagaLogUnavailable naming the log for a newer
/// version (nothing is changed), PgError for a failure of the server.
void prepare_schema(Connection& connection, const std::string& schema);

}  // namespace cluster_client::log::postgres
