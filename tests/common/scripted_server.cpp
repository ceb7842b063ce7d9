// SPDX-License-Identifier: MIT
#include "scripted_server.hpp"

#include <sys/socket.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace cluster_client::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ScriptedServer::ScriptedServer(Answer answer, CloseAfter close_after)
    : answer_(std::move(answer)),
      close_after_(std::move(close_after)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    acceptor_thread_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Closing a socket does not wake a thread blocked in accept(); shutting it down does.
    // The acceptor is closed only once that thread is gone: closing it while accept() runs
    // is a data race on the socket object.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_thread_.join();
    acceptor_.close(ignored);
    {
        std::lock_guard lock(mutex_);
        for (auto& socket : sockets_) socket->shutdown(tcp::socket::shutdown_both, ignored);
    }
    for (auto& thread : threads_) thread.join();
}

std::string ScriptedServer::url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

void ScriptedServer::accept_loop() {
    while (!stopping_) {
        auto socket = std::make_shared<tcp::socket>(io_);
        boost::system::error_code ec;
        acceptor_.accept(*socket, ec);
        if (ec) return;
        ++connections_;
        std::lock_guard lock(mutex_);
        sockets_.push_back(socket);
        threads_.emplace_back([this, socket] { serve(socket); });
    }
}

void ScriptedServer::serve(std::shared_ptr<tcp::socket> socket) {
    asio::streambuf buffer;
    boost::system::error_code ec;
    while (!stopping_) {
        const auto header_end = asio::read_until(*socket, buffer, "\r\n\r\n", ec);
        if (ec) return;
        std::string headers(asio::buffers_begin(buffer.data()),
                            asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(header_end));
        buffer.consume(header_end);
        std::size_t body = 0;
        if (const auto at = headers.find("Content-Length: "); at != std::string::npos) {
            body = std::stoul(headers.substr(at + 16));
        }
        if (buffer.size() < body) asio::read(*socket, buffer, asio::transfer_exactly(body - buffer.size()), ec);
        if (ec) return;
        std::string content(asio::buffers_begin(buffer.data()),
                            asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(body));
        buffer.consume(body);
        int request = 0;
        {
            // Numbered under the lock, so that request(n) is the n-th request's text.
            const std::lock_guard lock(mutex_);
            headers_.push_back(headers);
            bodies_.push_back(std::move(content));
            request = requests_++;
        }
        asio::write(*socket, asio::buffer(answer_(request)), ec);
        if (ec || close_after_(request)) {
            socket->shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
    }
}

std::vector<std::string> ScriptedServer::headers() const {
    const std::lock_guard lock(mutex_);
    return headers_;
}

std::string ScriptedServer::request(int index) const {
    const std::lock_guard lock(mutex_);
    const auto i = static_cast<std::size_t>(index);
    return headers_.at(i) + bodies_.at(i);
}

std::string http_answer(int status, const std::string& body, const std::string& extra_headers) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nContent-Type: application/json\r\n" + extra_headers + "\r\n" + body;
}

}  // namespace cluster_client::testing
