// SPDX-License-Identifier: MIT
#include "log/postgres/connection.hpp"

#include <array>
#include <cstdlib>

namespace cluster_client::log::postgres {

namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// Replaces the value of every `password=` parameter after the '?' of `url`.
std::string without_password_parameter(std::string url) {
    const auto query = url.find('?');
    if (query == std::string::npos) return url;
    for (auto at = url.find("password=", query); at != std::string::npos; at = url.find("password=", at + 1)) {
        if (url[at - 1] != '?' && url[at - 1] != '&') continue;
        const auto value = at + 9;
        const auto end = std::min(url.find('&', value), url.size());
        url.replace(value, end - value, "***");
    }
    return url;
}

}  // namespace

std::string display_url(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return without_password_parameter(url);
    const auto authority = scheme_end + 3;
    const auto authority_end = std::min(url.find_first_of("/?", authority), url.size());
    const auto at = url.rfind('@', authority_end);
    std::string shown = url;
    if (at != std::string::npos && at >= authority) {
        const auto colon = url.find(':', authority);
        if (colon != std::string::npos && colon < at) shown = url.substr(0, colon) + ":***" + url.substr(at);
    }
    return without_password_parameter(shown);
}

std::string url_problem(const std::string& url) {
    if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
        return "a PostgreSQL saga log URL starts with postgresql://";
    }
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        std::string problem = error != nullptr ? trimmed(error) : "libpq cannot parse it";
        PQfreemem(error);
        // libpq quotes the URI it could not parse, password and all.
        const std::string shown = display_url(url);
        for (auto at = problem.find(url); at != std::string::npos; at = problem.find(url, at + shown.size())) {
            problem.replace(at, url.size(), shown);
        }
        return problem;
    }
    PQconninfoFree(options);
    return {};
}

long long Result::integer(int row, int column) const {
    return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

Connection::Connection(std::string url) : url_(std::move(url)), shown_url_(display_url(url_)) {
    connect();
}

Connection::~Connection() {
    PQfinish(conn_);
}

// Bounded waits: a server that does not answer must not hold the log's thread for minutes.
// The URL's own settings come after these defaults, so they win.
void Connection::connect() {
    PQfinish(conn_);
    const std::array<const char*, 8> keys{"connect_timeout",
                                          "keepalives_idle",
                                          "keepalives_interval",
                                          "keepalives_count",
                                          "tcp_user_timeout",
                                          "application_name",
                                          "dbname",
                                          nullptr};
    const std::array<const char*, 8> values{"5", "5", "2", "3", "10000", "cluster-client", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (conn_ == nullptr) throw PgError("", "saga log " + shown_url_ + ": out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        throw PgError("", "saga log " + shown_url_ + ": " + trimmed(PQerrorMessage(conn_)));
    }
    // A notice (CREATE ... IF NOT EXISTS) is not worth a line on stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
}

bool Connection::healthy() const {
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void Connection::reconnect() {
    connect();
}

Result Connection::checked(PGresult* raw) {
    Result result(raw);
    const auto status = PQresultStatus(raw);
    if (raw != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return result;
    const char* state = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string message = primary != nullptr ? primary : trimmed(PQerrorMessage(conn_));
    throw PgError(state != nullptr ? state : "", message);
}

void Connection::exec(const std::string& sql) {
    checked(PQexec(conn_, sql.c_str()));
}

Result Connection::query(const std::string& sql, const std::vector<const char*>& params) {
    return checked(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr, 0));
}

void Connection::prepare(const std::string& name, const std::string& sql) {
    checked(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
}

Result Connection::run_prepared(const std::string& name, const std::vector<const char*>& params) {
    return checked(
        PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), params.data(), nullptr, nullptr, 0));
}

std::string Connection::identifier(const std::string& name) const {
    char* quoted = PQescapeIdentifier(conn_, name.c_str(), name.size());
    if (quoted == nullptr) throw PgError("", "saga log " + shown_url_ + ": " + trimmed(PQerrorMessage(conn_)));
    std::string result = quoted;
    PQfreemem(quoted);
    return result;
}

}  // namespace cluster_client::log::postgres
