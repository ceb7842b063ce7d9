// SPDX-License-Identifier: MIT
#include "database_commits.hpp"

#include <cstdlib>
#include <memory>

#include <libpq-fe.h>

namespace cluster_client::bench {

std::optional<long long> database_commits(const std::string& url) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return std::nullopt;
    // A backend's counts reach the shared statistics when it ends or at most every second:
    // forcing a flush of the others is not possible, so the caller reads after they ended.
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(conn.get(), "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1) return std::nullopt;
    return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
}

}  // namespace cluster_client::bench
