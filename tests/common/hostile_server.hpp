// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cluster_client::testing {

class HostileServer;

/// One accepted connection of a HostileServer, as its behaviour sees it. Every call blocks
/// and gives up (false or nullopt) once the client has closed the connection or the server
/// is stopping, so that no behaviour can outlive its test.
class HostileConnection {
public:
    /// One request: its request line and header fields, up to the blank line, then as many
    /// body bytes as its Content-Length says (returned after the head). nullopt when the
    /// client closed or sent more than 64 KiB without ending its header.
    std::optional<std::string> read_request();
    /// Writes all of `bytes`; false when the client is gone (it closed or reset).
    bool send(std::string_view bytes);
    /// Waits `duration` without reading; false when the client closed meanwhile (seen as
    /// its FIN or RST even with unread bytes pending) or the server is stopping.
    bool pause(std::chrono::milliseconds duration);
    /// Waits, without reading, until the client closes or the server stops.
    void hold();

    /// Bytes the kernel accepted from send() on this connection.
    std::uint64_t bytes_sent() const { return bytes_sent_; }

private:
    friend class HostileServer;
    HostileConnection(HostileServer& server, int fd) : server_(server), fd_(fd) {}
    void client_closed();

    HostileServer& server_;
    int fd_;
    std::string pending_;  ///< bytes read past the last request
    std::uint64_t bytes_sent_ = 0;
    bool closed_by_client_ = false;
};

/// A loopback HTTP "node" that misbehaves as a test scripts it: garbage, trickles, endless
/// headers or bodies, silence. Each connection runs `behaviour` on its own thread with
/// blocking sockets, so a behaviour is written as straight-line code; when it returns, the
/// server shuts the connection down. The server counts what it wrote per connection and
/// sees when the client closes, which is how tests prove that the client stops reading
/// (bounded memory) and gives up (bounded time) however the node behaves.
class HostileServer {
public:
    using Behaviour = std::function<void(HostileConnection&)>;

    explicit HostileServer(Behaviour behaviour);
    /// Wakes every behaviour (blocked reads, writes and pauses fail) and joins its thread.
    ~HostileServer();
    HostileServer(const HostileServer&) = delete;
    HostileServer& operator=(const HostileServer&) = delete;

    /// `http://127.0.0.1:<port>`
    std::string url() const;

    int connections() const { return connections_; }
    /// Requests read by behaviours through read_request().
    int requests() const { return requests_; }
    /// Connections whose client was seen closing (a write failed, or a wait saw it hang up).
    int closed_by_client() const { return closed_by_client_; }
    /// The most bytes written on any one connection.
    std::uint64_t max_bytes_on_a_connection() const;
    /// Waits until the client has closed every connection accepted so far, up to `limit`;
    /// false when some connection is still open by then.
    bool wait_until_client_closed_all(std::chrono::milliseconds limit) const;

private:
    friend class HostileConnection;
    void accept_loop();
    void serve(int fd);
    void note_closed_by_client();
    void note_request() { ++requests_; }
    void note_sent(std::uint64_t total_on_connection);

    Behaviour behaviour_;
    int listener_ = -1;
    int wake_ = -1;  ///< an eventfd, readable once the server stops: ends every wait
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> requests_{0};
    std::atomic<int> closed_by_client_{0};
    std::atomic<std::uint64_t> max_bytes_{0};
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<int> fds_;  ///< closed only by the destructor, so a number is never reused under a behaviour
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

/// The resident set of this process (VmRSS), in bytes; 0 when it cannot be read.
std::uint64_t resident_bytes();
/// The peak of the resident set (VmHWM), in bytes; 0 when it cannot be read.
std::uint64_t peak_resident_bytes();
/// Lowers the peak to the current resident set, so that peak_resident_bytes() covers only
/// what follows; false when the kernel does not allow it.
bool reset_peak_resident();

}  // namespace cluster_client::testing
