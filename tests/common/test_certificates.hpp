// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

namespace cluster_client::testing {

/// A private certificate authority and a node certificate it signed for 127.0.0.1 and
/// localhost (plus a client certificate for mutual TLS), made with the openssl program in a
/// temporary directory that lives as long as this object. Throws std::runtime_error when
/// openssl fails.
class TestCertificates {
public:
    TestCertificates();
    ~TestCertificates();
    TestCertificates(const TestCertificates&) = delete;
    TestCertificates& operator=(const TestCertificates&) = delete;

    std::string ca() const { return (dir_ / "ca.pem").string(); }
    std::string node_cert() const { return (dir_ / "node.pem").string(); }
    std::string node_key() const { return (dir_ / "node.key").string(); }
    std::string client_cert() const { return (dir_ / "client.pem").string(); }
    std::string client_key() const { return (dir_ / "client.key").string(); }

private:
    std::filesystem::path dir_;
};

}  // namespace cluster_client::testing
