// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace cluster_client::testing {

/// A loopback HTTP server that answers whatever a test scripts, byte for byte: for
/// behaviour the reference node never shows (closing idle connections, huge or broken
/// answers). For each request (read up to the end of its headers, plus a Content-Length
/// body) it sends `answer(n)` for the n-th request overall (from 0), then closes the
/// connection when `close_after(n)` says so.
class ScriptedServer {
public:
    using Answer = std::function<std::string(int request)>;
    using CloseAfter = std::function<bool(int request)>;

    ScriptedServer(
        Answer answer, CloseAfter close_after = [](int) { return false; });
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    /// `http://127.0.0.1:<port>`
    std::string url() const;
    int connections() const { return connections_; }
    int requests() const { return requests_; }
    /// The request line and header fields of every request received, in order.
    std::vector<std::string> headers() const;
    /// Request number `index` whole: request line, header fields and body.
    std::string request(int index) const;

private:
    void accept_loop();
    void serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);

    Answer answer_;
    CloseAfter close_after_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<int> connections_{0};
    std::atomic<int> requests_{0};
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::vector<std::string> headers_;
    std::vector<std::string> bodies_;
    std::vector<std::thread> threads_;
    std::thread acceptor_thread_;
};

/// A complete `HTTP/1.1 <status>` answer with `body` and a correct Content-Length.
std::string http_answer(int status, const std::string& body = "", const std::string& extra_headers = "");

}  // namespace cluster_client::testing
