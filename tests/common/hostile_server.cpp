// SPDX-License-Identifier: MIT
#include "hostile_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace cluster_client::testing {

namespace {

// Plain blocking POSIX sockets rather than Asio: a behaviour is a few lines of sequential
// code, and poll() on the socket is the one way to see a client hang up without reading
// what it sent.

constexpr std::size_t max_request_bytes = 64 * 1024;

// The server's own send buffer is kept small so that what send() reports as written is
// close to what the client's side took in, not what piled up in this process's kernel queue.
constexpr int server_send_buffer = 64 * 1024;

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("hostile server: ") + what + ": " + std::strerror(errno));
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::size_t content_length(std::string_view head) {
    const auto text = lower(head);
    const auto at = text.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    auto begin = text.data() + at + 17;
    const auto end = text.data() + text.size();
    while (begin < end && *begin == ' ') ++begin;
    std::size_t length = 0;
    std::from_chars(begin, end, length);
    return length;
}

}  // namespace

std::optional<std::string> HostileConnection::read_request() {
    char chunk[4096];
    for (;;) {
        if (const auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
            const auto whole = end + 4 + content_length(std::string_view(pending_).substr(0, end + 2));
            if (pending_.size() >= whole) {
                auto request = pending_.substr(0, whole);
                pending_.erase(0, whole);
                server_.note_request();
                return request;
            }
        }
        if (pending_.size() > max_request_bytes) return std::nullopt;
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
            pending_.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || errno == ECONNRESET) client_closed();
        return std::nullopt;
    }
}

bool HostileConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE || errno == ECONNRESET) client_closed();
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
        bytes_sent_ += static_cast<std::uint64_t>(n);
        server_.note_sent(bytes_sent_);
    }
    return true;
}

bool HostileConnection::pause(std::chrono::milliseconds duration) {
    const bool forever = duration == std::chrono::milliseconds::max();
    const auto until = forever ? std::chrono::steady_clock::time_point::max()
                               : std::chrono::steady_clock::now() + duration;
    for (;;) {
        int timeout = -1;
        if (!forever) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return true;
            timeout = static_cast<int>(left.count());
        }
        // POLLIN is not asked for: bytes the client sent and we never read must not end the wait.
        pollfd watched[2] = {{fd_, POLLRDHUP, 0}, {server_.wake_, POLLIN, 0}};
        const int ready = ::poll(watched, 2, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (ready == 0) continue;  // the time is up: checked at the top
        if (watched[1].revents != 0) return false;
        if (watched[0].revents != 0) {
            if ((watched[0].revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) client_closed();
            return false;
        }
    }
}

void HostileConnection::hold() {
    pause(std::chrono::milliseconds::max());
}

void HostileConnection::client_closed() {
    // A failure caused by the server stopping is not the client's doing.
    if (closed_by_client_ || server_.stopping_) return;
    closed_by_client_ = true;
    server_.note_closed_by_client();
}

HostileServer::HostileServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) fail("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
    if (::listen(listener_, 64) != 0) fail("listen");
    socklen_t length = sizeof address;
    if (::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
    port_ = ntohs(address.sin_port);
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    if (wake_ < 0) fail("eventfd");
    acceptor_ = std::thread([this] { accept_loop(); });
}

HostileServer::~HostileServer() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_, &one, sizeof one);
    acceptor_.join();
    {
        // Wakes behaviours blocked in recv() or send(); the numbers stay theirs until closed below.
        const std::lock_guard lock(mutex_);
        for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& thread : threads_) thread.join();
    for (const int fd : fds_) ::close(fd);
    ::close(listener_);
    ::close(wake_);
}

std::string HostileServer::url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

std::uint64_t HostileServer::max_bytes_on_a_connection() const {
    return max_bytes_;
}

bool HostileServer::wait_until_client_closed_all(std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return closed_by_client_ == connections_; });
}

void HostileServer::accept_loop() {
    for (;;) {
        pollfd watched[2] = {{listener_, POLLIN, 0}, {wake_, POLLIN, 0}};
        if (::poll(watched, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (watched[1].revents != 0) return;
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;
        }
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &server_send_buffer, sizeof server_send_buffer);
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            ::close(fd);
            return;
        }
        fds_.push_back(fd);
        ++connections_;
        threads_.emplace_back([this, fd] { serve(fd); });
    }
}

void HostileServer::serve(int fd) {
    HostileConnection connection(*this, fd);
    behaviour_(connection);
    // The behaviour is done with the node's side: the client sees the end of the stream.
    ::shutdown(fd, SHUT_RDWR);
}

void HostileServer::note_closed_by_client() {
    {
        const std::lock_guard lock(mutex_);
        ++closed_by_client_;
    }
    changed_.notify_all();
}

void HostileServer::note_sent(std::uint64_t total_on_connection) {
    auto seen = max_bytes_.load();
    while (total_on_connection > seen && !max_bytes_.compare_exchange_weak(seen, total_on_connection)) {
    }
}

namespace {

// A `Name:   123 kB` line of /proc/self/status, in bytes.
std::uint64_t status_bytes(std::string_view name) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':') continue;
        std::uint64_t kib = 0;
        const auto digits = line.find_first_of("0123456789");
        if (digits == std::string::npos) return 0;
        std::from_chars(line.data() + digits, line.data() + line.size(), kib);
        return kib * 1024;
    }
    return 0;
}

}  // namespace

std::uint64_t resident_bytes() {
    return status_bytes("VmRSS");
}

std::uint64_t peak_resident_bytes() {
    return status_bytes("VmHWM");
}

bool reset_peak_resident() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5" << std::flush;
    return static_cast<bool>(clear);
}

}  // namespace cluster_client::testing
