// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

namespace cluster_client::testing {

/// A throwaway PostgreSQL server (scripts/pg-cluster.sh) in a folder of its own under the
/// temporary directory, on a free loopback port, with a password for TCP connections. It is
/// stopped and its folder removed on destruction. Sets PGPASSFILE in this process, so that
/// the saga log (and every child process) finds the password.
class PostgresServer {
public:
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// postgresql://postgres@127.0.0.1:PORT/postgres (no password: it is in pgpass()).
    const std::string& url() const { return url_; }
    int port() const;
    std::filesystem::path pgpass() const { return dir_ / "pgpass"; }

    /// Stops the server, keeping its data; up() starts it again on the same port.
    void down();
    void up();
    /// Runs SQL as the postgres user through psql; returns its output (unaligned, tuples
    /// only). Throws std::runtime_error when psql fails.
    std::string sql(const std::string& statement) const;

private:
    void script(const std::string& command) const;

    std::filesystem::path dir_;
    std::string url_;
};

}  // namespace cluster_client::testing
