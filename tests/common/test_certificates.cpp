// SPDX-License-Identifier: MIT
#include "test_certificates.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "program.hpp"

namespace cluster_client::testing {

namespace {

void openssl(const std::vector<std::string>& args) {
    const auto result = run_program("/usr/bin/openssl", args);
    if (result.exit_status != 0) {
        std::string command = "openssl";
        for (const auto& arg : args) command += " " + arg;
        throw std::runtime_error(command + " failed (" + std::to_string(result.exit_status) + "): " + result.err);
    }
}

// A P-256 key and a certificate for `subject` signed by the CA in `dir`, valid for a day.
void issue(const std::filesystem::path& dir, const std::string& name, const std::string& subject,
           const std::string& extensions) {
    const auto path = [&](const std::string& suffix) { return (dir / (name + suffix)).string(); };
    std::ofstream(path(".ext")) << extensions << '\n';
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             path(".key"), "-out", path(".csr"), "-subj", subject});
    openssl({"x509", "-req", "-in", path(".csr"), "-CA", (dir / "ca.pem").string(), "-CAkey", (dir / "ca.key").string(),
             "-CAcreateserial", "-days", "1", "-out", path(".pem"), "-extfile", path(".ext")});
}

}  // namespace

TestCertificates::TestCertificates() {
    static std::atomic<int> made{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("cluster-client-certs-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             (dir_ / "ca.key").string(), "-out", (dir_ / "ca.pem").string(), "-days", "1", "-subj",
             "/CN=cluster-client test CA"});
    issue(dir_, "node", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    issue(dir_, "client", "/CN=cluster-client test client", "extendedKeyUsage=clientAuth");
}

TestCertificates::~TestCertificates() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace cluster_client::testing
