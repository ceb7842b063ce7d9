// SPDX-License-Identifier: MIT
#include "http/http_options_check.hpp"

#include <filesystem>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <cluster_client/cluster_client.hpp>
#include <cluster_client/errors.hpp>

using cluster_client::ClientOptions;
using cluster_client::ConfigError;
using cluster_client::HttpOptions;
using cluster_client::http::check_http_options;

namespace {

// The message of the ConfigError that check_http_options throws; empty when it passes.
std::string refusal(const HttpOptions& options) {
    try {
        check_http_options(options);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return {};
}

TEST(HttpOptionsCheck, TheDefaultsPass) {
    EXPECT_EQ(refusal(HttpOptions{}), "");
}

TEST(HttpOptionsCheck, EachUnworkableValueIsRefusedNamingItsField) {
    const std::vector<std::pair<std::function<void(HttpOptions&)>, std::string>> cases{
        {[](HttpOptions& o) { o.max_connections_per_host = 0; }, "http: max_connections_per_host must be at least 1"},
        {[](HttpOptions& o) { o.max_header_bytes = 0; }, "http: max_header_bytes must be at least 1"},
        {[](HttpOptions& o) { o.max_body_bytes = 0; }, "http: max_body_bytes must be at least 1"},
        {[](HttpOptions& o) { o.cert_file = "client.pem"; }, "got cert_file without key_file"},
        {[](HttpOptions& o) { o.key_file = "client.key"; }, "got key_file without cert_file"},
    };
    for (const auto& [spoil, rule] : cases) {
        HttpOptions options;
        spoil(options);
        EXPECT_NE(refusal(options).find(rule), std::string::npos) << rule << " in: " << refusal(options);
    }
}

TEST(HttpOptionsCheck, OneOfEachIsEnough) {
    HttpOptions options;
    options.max_connections_per_host = 1;
    options.max_header_bytes = 1;
    options.max_body_bytes = 1;
    options.cert_file = "client.pem";
    options.key_file = "client.key";
    EXPECT_EQ(refusal(options), "") << "the files are loaded later, with the TLS context";
}

TEST(HttpOptionsCheck, TheClientRefusesThemBeforeOpeningItsLog) {
    const auto state_dir = std::filesystem::path(::testing::TempDir()) / "http-options-check-state";
    std::filesystem::remove_all(state_dir);
    ClientOptions options;
    options.hosts = {"http://127.0.0.1:1"};
    options.http.max_connections_per_host = 0;
    options.saga_log.state_dir = state_dir.string();
    boost::asio::io_context io;
    EXPECT_THROW(cluster_client::ClusterClient(io.get_executor(), options), ConfigError);
    EXPECT_FALSE(std::filesystem::exists(state_dir)) << "nothing is left behind";
}

}  // namespace
