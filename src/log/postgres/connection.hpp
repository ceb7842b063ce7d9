// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace cluster_client::log::postgres {

/// A failed libpq call: the server's SQLSTATE when it sent one ("" for a lost or refused
/// connection) and its message.
class PgError : public std::runtime_error {
public:
    PgError(std::string sqlstate, const std::string& message)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

/// SQLSTATEs the log acts on.
inline constexpr const char* lease_expired_state = "CC001";  ///< raised by the schema's hold_lease()
inline constexpr const char* deadlock_state = "40P01";
inline constexpr const char* serialization_state = "40001";

/// `url` as it may be shown: the password, in the URI's user part or a `password`
/// parameter, replaced by `***`.
std::string display_url(const std::string& url);

/// Checks that `url` is a libpq connection URI (postgresql:// or postgres://) libpq can
/// parse; returns libpq's complaint, or "" when it is fine. Nothing is sent.
std::string url_problem(const std::string& url);

/// One query's result.
class Result {
public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    long long integer(int row, int column) const;
    bool boolean(int row, int column) const { return text(row, column) == "t"; }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

/// One blocking connection to the server, used by one thread only (the log's own). Every
/// failure throws PgError; once the connection is lost, `healthy()` is false until
/// `reconnect()` succeeds.
class Connection {
public:
    /// Connects to `url` (a libpq URI; the password comes from it, PGPASSFILE or
    /// ~/.pgpass). Throws PgError naming the display URL.
    explicit Connection(std::string url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool healthy() const;
    /// Drops the connection and makes a new one; prepared statements must be prepared again.
    void reconnect();

    /// Runs SQL without parameters (several statements allowed).
    void exec(const std::string& sql);
    /// Runs SQL with text parameters ($1, $2, ...); a parameter may be null.
    Result query(const std::string& sql, const std::vector<const char*>& params = {});
    void prepare(const std::string& name, const std::string& sql);
    Result run_prepared(const std::string& name, const std::vector<const char*>& params);

    /// A quoted identifier (a schema name) safe to put in SQL.
    std::string identifier(const std::string& name) const;
    const std::string& shown_url() const { return shown_url_; }

private:
    Result checked(PGresult* result);
    void connect();

    std::string url_;
    std::string shown_url_;
    PGconn* conn_ = nullptr;
};

}  // namespace cluster_client::log::postgres
