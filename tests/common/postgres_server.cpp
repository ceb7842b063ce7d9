// SPDX-License-Identifier: MIT
#include "postgres_server.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <unistd.h>

#include "program.hpp"

namespace cluster_client::testing {

namespace {

std::string first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

const std::string script_path = std::string(CLUSTER_CLIENT_SOURCE_DIR) + "/scripts/pg-cluster.sh";

}  // namespace

PostgresServer::PostgresServer()
    : dir_(std::filesystem::temp_directory_path() /
           ("pg-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()))) {
    const auto started = run_program("/bin/bash", {script_path, "start", dir_.string()});
    if (started.exit_status != 0) throw std::runtime_error("pg-cluster.sh start: " + started.err);
    url_ = trimmed(started.out);
    ::setenv("PGPASSFILE", pgpass().c_str(), 1);
}

PostgresServer::~PostgresServer() {
    run_program("/bin/bash", {script_path, "stop", dir_.string()});
}

int PostgresServer::port() const {
    return std::stoi(first_line(dir_ / "port"));
}

void PostgresServer::script(const std::string& command) const {
    const auto done = run_program("/bin/bash", {script_path, command, dir_.string()});
    if (done.exit_status != 0) throw std::runtime_error("pg-cluster.sh " + command + ": " + done.err);
}

void PostgresServer::down() {
    script("down");
}

void PostgresServer::up() {
    script("up");
}

std::string PostgresServer::sql(const std::string& statement) const {
    const auto done = run_program("/usr/bin/psql", {"--no-psqlrc", "--tuples-only", "--no-align", "--quiet",
                                                    "--set=ON_ERROR_STOP=1", "--command", statement, url_});
    if (done.exit_status != 0) throw std::runtime_error("psql: " + done.err);
    return trimmed(done.out);
}

}  // namespace cluster_client::testing
