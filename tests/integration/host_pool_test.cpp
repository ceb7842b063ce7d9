// SPDX-License-Identifier: MIT
// The HTTP layer against real sockets: keep-alive, bounds, timeouts, limits, and every
// failure classified as not sent or maybe applied.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <cluster_client/errors.hpp>

#include "dead_port.hpp"
#include "http/host_pool.hpp"
#include "local_cluster.hpp"
#include "scripted_server.hpp"
#include "test_certificates.hpp"
#include "time_scale.hpp"

namespace cluster_client::http {
namespace {

using namespace std::chrono_literals;
using testing::LocalCluster;
using testing::ScriptedServer;

// Runs `count` concurrent requests through one pool and returns their outcomes.
std::vector<Outcome> send_all(HostPool& pool, boost::asio::io_context& io, std::vector<Request> requests,
                              std::chrono::milliseconds timeout) {
    std::vector<std::future<Outcome>> futures;
    for (auto& request : requests) {
        futures.push_back(boost::asio::co_spawn(io, pool.send(std::move(request), timeout), boost::asio::use_future));
    }
    io.restart();
    io.run();
    std::vector<Outcome> outcomes;
    for (auto& future : futures) outcomes.push_back(future.get());
    return outcomes;
}

Outcome send_one(HostPool& pool, boost::asio::io_context& io, Request request, std::chrono::milliseconds timeout = 2s) {
    return send_all(pool, io, {std::move(request)}, timeout).front();
}

Request get(const std::string& path = "/v1/group/x/") {
    return Request{Method::get, path, {}};
}

// By value: callers pass the temporary outcome of a send.
Failure failure_of(const Outcome& outcome) {
    const auto* failure = std::get_if<Failure>(&outcome);
    return failure != nullptr ? *failure : Failure{Failure::Kind::not_sent, "no failure: a response came"};
}

unsigned status_of(const Outcome& outcome) {
    const auto* response = std::get_if<Response>(&outcome);
    return response != nullptr ? response->status : 0;
}

TEST(HostPool, KeepAliveServesManyRequestsOnOneConnection) {
    LocalCluster cluster;
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), HttpOptions{}, nullptr);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(status_of(send_one(pool, io, get())), 404u);
    EXPECT_EQ(pool.open_connections(), 1u);
    EXPECT_EQ(cluster.requests(0), 20u);
}

TEST(HostPool, RefusedConnectionIsNotSent) {
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(testing::dead_node_url()), HttpOptions{}, nullptr);
    const auto failure = failure_of(send_one(pool, io, get()));
    EXPECT_EQ(failure.kind, Failure::Kind::not_sent);
    EXPECT_NE(failure.message.find("connect"), std::string::npos) << failure.message;
    EXPECT_EQ(pool.open_connections(), 0u);
}

TEST(HostPool, NodeThatNeverAnswersIsMaybeAppliedByTheTimeout) {
    reference_node::NodeClusterOptions options;
    options.faults.p_hang_before = 1.0;
    LocalCluster cluster(options);
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), HttpOptions{}, nullptr);
    const auto started = std::chrono::steady_clock::now();
    const auto failure = failure_of(send_one(pool, io, {Method::post, "/v1/group/", R"({"groupId":"g"})"}, 100ms));
    // The node never answers: only the 100 ms timeout can end the call this soon.
    EXPECT_LT(std::chrono::steady_clock::now() - started, testing::scaled(1000ms));
    EXPECT_EQ(failure.kind, Failure::Kind::maybe_applied);
    EXPECT_NE(failure.message.find("timed out after 100ms"), std::string::npos) << failure.message;
}

TEST(HostPool, ResetAfterSendingIsMaybeApplied) {
    reference_node::NodeClusterOptions options;
    options.faults.p_reset = 1.0;
    LocalCluster cluster(options);
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), HttpOptions{}, nullptr);
    EXPECT_EQ(failure_of(send_one(pool, io, get())).kind, Failure::Kind::maybe_applied);
}

TEST(HostPool, AConnectionTheNodeClosedIsReplacedBeforeSending) {
    // The server closes every connection after one answer, as a node's idle timeout would:
    // the pooled connection is found dead before the next request is written to it.
    ScriptedServer server([](int) { return testing::http_answer(404); }, [](int) { return true; });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    EXPECT_EQ(status_of(send_one(pool, io, get())), 404u);
    std::this_thread::sleep_for(50ms);  // the close reaches this side
    EXPECT_EQ(status_of(send_one(pool, io, get())), 404u);
    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(server.requests(), 2);
}

TEST(HostPool, ConnectionCloseIsHonoured) {
    ScriptedServer server([](int) { return testing::http_answer(200, "{}", "Connection: close\r\n"); });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(status_of(send_one(pool, io, get())), 200u);
    EXPECT_EQ(server.connections(), 3);
    EXPECT_EQ(pool.idle_connections(), 0u);
}

TEST(HostPool, OversizedBodyIsRefusedQuickly) {
    // Announces 10 MB and sends them; the pool stops reading at its limit.
    ScriptedServer server([](int) { return testing::http_answer(200, std::string(10 * 1024 * 1024, 'x')); });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    const auto failure = failure_of(send_one(pool, io, get()));
    EXPECT_EQ(failure.kind, Failure::Kind::maybe_applied);
    EXPECT_NE(failure.message.find("body limit"), std::string::npos) << failure.message;
}

TEST(HostPool, OversizedHeadersAreRefused) {
    ScriptedServer server(
        [](int) { return testing::http_answer(200, "{}", "X-Junk: " + std::string(20000, 'j') + "\r\n"); });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    EXPECT_EQ(failure_of(send_one(pool, io, get())).kind, Failure::Kind::maybe_applied);
}

TEST(HostPool, GarbageIsMaybeApplied) {
    ScriptedServer server([](int) { return std::string("SSH-2.0-not-http\r\n\r\n"); }, [](int) { return true; });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    EXPECT_EQ(failure_of(send_one(pool, io, get())).kind, Failure::Kind::maybe_applied);
}

TEST(HostPool, ANodeThatClosesBeforeAnsweringIsMaybeApplied) {
    // It read the request and may have applied it: never a refusal, never a status 0.
    ScriptedServer server([](int) { return std::string(); }, [](int) { return true; });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    const auto failure = failure_of(send_one(pool, io, get()));
    EXPECT_EQ(failure.kind, Failure::Kind::maybe_applied);
    EXPECT_NE(failure.message.find("receive"), std::string::npos) << failure.message;
}

TEST(HostPool, RetryAfterSecondsAreRead) {
    ScriptedServer server([](int) { return testing::http_answer(429, "", "Retry-After: 3\r\n"); });
    boost::asio::io_context io;
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), HttpOptions{}, nullptr);
    const auto outcome = send_one(pool, io, get());
    ASSERT_TRUE(std::holds_alternative<Response>(outcome));
    EXPECT_EQ(std::get<Response>(outcome).retry_after, std::chrono::milliseconds(3000));
}

TEST(HostPool, ConnectionsPerHostAreBounded) {
    reference_node::NodeClusterOptions options;
    options.faults.latency = 50ms;
    LocalCluster cluster(options);
    boost::asio::io_context io;
    HttpOptions http;
    http.max_connections_per_host = 2;
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), http, nullptr);
    const auto started = std::chrono::steady_clock::now();
    const auto outcomes = send_all(pool, io, std::vector<Request>(8, get()), 2s);
    for (const auto& outcome : outcomes) EXPECT_EQ(status_of(outcome), 404u);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 4 * 50ms) << "8 requests, 2 at a time";
    EXPECT_EQ(pool.open_connections(), 2u);
}

TEST(HostPool, WaitingForAFreeConnectionEndsByTheTimeout) {
    reference_node::NodeClusterOptions options;
    options.faults.latency = 300ms;
    LocalCluster cluster(options);
    boost::asio::io_context io;
    HttpOptions http;
    http.max_connections_per_host = 1;
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), http, nullptr);
    // The first request holds the only connection for 300 ms; the second may wait 100 ms.
    auto first = boost::asio::co_spawn(io, pool.send(get(), 2s), boost::asio::use_future);
    auto second = boost::asio::co_spawn(io, pool.send(get(), 100ms), boost::asio::use_future);
    io.run();
    EXPECT_EQ(status_of(first.get()), 404u);
    const auto failure = failure_of(second.get());
    EXPECT_EQ(failure.kind, Failure::Kind::not_sent);
    EXPECT_NE(failure.message.find("waiting for a free connection"), std::string::npos) << failure.message;
}

TEST(HostPool, ABearerTokenGoesWithEveryRequest) {
    ScriptedServer server([](int) { return testing::http_answer(404); });
    boost::asio::io_context io;
    HttpOptions http;
    http.bearer_token = "s3cr3t-Token";
    HostPool pool(io.get_executor(), parse_endpoint(server.url()), http, nullptr);
    EXPECT_EQ(status_of(send_one(pool, io, get())), 404u);
    EXPECT_EQ(status_of(send_one(pool, io, {Method::post, "/v1/group/", R"({"groupId":"g"})"})), 404u);
    const auto headers = server.headers();
    ASSERT_EQ(headers.size(), 2u);
    for (const auto& header : headers) {
        EXPECT_NE(header.find("\r\nAuthorization: Bearer s3cr3t-Token\r\n"), std::string::npos) << header;
    }
}

TEST(HostPool, ATokenThatCouldBreakTheHeaderIsAConfigError) {
    boost::asio::io_context io;
    HttpOptions http;
    http.bearer_token = "x\r\nX-Injected: 1";
    EXPECT_THROW(HostPool(io.get_executor(), parse_endpoint("http://127.0.0.1:1"), http, nullptr), ConfigError);
}

reference_node::NodeClusterOptions https_options(const testing::TestCertificates& certificates) {
    reference_node::NodeClusterOptions options;
    options.tls_cert_file = certificates.node_cert();
    options.tls_key_file = certificates.node_key();
    return options;
}

TEST(HostPool, HttpsSignedByAPrivateCaWorksWithItsCaAndIsRefusedWithout) {
    const testing::TestCertificates certificates;
    LocalCluster cluster(https_options(certificates));
    ASSERT_EQ(cluster.url(0).rfind("https://127.0.0.1:", 0), 0u) << cluster.url(0);
    boost::asio::io_context io;

    HttpOptions trusted;
    trusted.ca_file = certificates.ca();
    const auto trusted_tls = make_tls_context(trusted);
    HostPool pool(io.get_executor(), parse_endpoint(cluster.url(0)), trusted, trusted_tls.get());
    EXPECT_EQ(status_of(send_one(pool, io, get())), 404u);
    EXPECT_EQ(status_of(send_one(pool, io, {Method::post, "/v1/group/", R"({"groupId":"g"})"})), 201u);
    EXPECT_EQ(pool.open_connections(), 1u) << "keep-alive over TLS";

    const auto system_tls = make_tls_context(HttpOptions{});
    HostPool untrusted(io.get_executor(), parse_endpoint(cluster.url(0)), HttpOptions{}, system_tls.get());
    const auto failure = failure_of(send_one(untrusted, io, get()));
    EXPECT_EQ(failure.kind, Failure::Kind::not_sent);
    EXPECT_TRUE(failure.permanent) << "a refused certificate is not retried: " << failure.message;
    EXPECT_NE(failure.message.find("certificate verify failed"), std::string::npos) << failure.message;
    EXPECT_EQ(cluster.requests(0), 2u);
}

TEST(HostPool, MutualTlsNeedsTheClientCertificate) {
    const testing::TestCertificates certificates;
    auto options = https_options(certificates);
    options.tls_client_ca_file = certificates.ca();
    LocalCluster cluster(options);
    boost::asio::io_context io;

    HttpOptions anonymous;
    anonymous.ca_file = certificates.ca();
    const auto anonymous_tls = make_tls_context(anonymous);
    HostPool refused(io.get_executor(), parse_endpoint(cluster.url(0)), anonymous, anonymous_tls.get());
    EXPECT_EQ(status_of(send_one(refused, io, get())), 0u);

    HttpOptions identified = anonymous;
    identified.cert_file = certificates.client_cert();
    identified.key_file = certificates.client_key();
    const auto identified_tls = make_tls_context(identified);
    HostPool accepted(io.get_executor(), parse_endpoint(cluster.url(0)), identified, identified_tls.get());
    EXPECT_EQ(status_of(send_one(accepted, io, get())), 404u);
    EXPECT_EQ(cluster.requests(0), 1u);
}

TEST(HostPool, AClientCertificateWithoutItsKeyIsAConfigError) {
    HttpOptions http;
    http.cert_file = "client.pem";
    EXPECT_THROW(make_tls_context(http), ConfigError);
}

TEST(HostPool, HttpsWithoutATlsContextIsAConfigError) {
    boost::asio::io_context io;
    EXPECT_THROW(HostPool(io.get_executor(), parse_endpoint("https://127.0.0.1:1"), HttpOptions{}, nullptr),
                 ConfigError);
}

TEST(HostPool, HttpsToAPlainServerFailsTheHandshakeBeforeSending) {
    LocalCluster cluster;
    boost::asio::io_context io;
    const auto tls = make_tls_context(HttpOptions{});
    const auto port = cluster.url(0).substr(cluster.url(0).rfind(':') + 1);
    HostPool pool(io.get_executor(), parse_endpoint("https://127.0.0.1:" + port), HttpOptions{}, tls.get());
    const auto failure = failure_of(send_one(pool, io, get(), 500ms));
    EXPECT_EQ(failure.kind, Failure::Kind::not_sent) << failure.message;
    EXPECT_NE(failure.message.find("tls handshake"), std::string::npos) << failure.message;
}

}  // namespace
}  // namespace cluster_client::http
