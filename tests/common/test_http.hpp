// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cluster_client::testing {

/// How a test exchange ended at the transport level.
enum class Transport {
    ok,       ///< a complete answer was read
    timeout,  ///< no complete answer within the timeout
    reset,    ///< the server reset the connection
    closed,   ///< the server closed the connection without a complete answer
    refused,  ///< nothing listens there
    other,
};

/// One answer read by test_http. `status` is 0 unless transport is ok.
struct HttpReply {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string allow;
    /// The Connection header, as sent.
    std::string connection;
    Transport transport = Transport::ok;
    std::string error;
    std::chrono::milliseconds elapsed{0};
};

/// Blocking HTTP/1.1 exchange over a fresh connection, for tests: sends `method` to `url`
/// (`http://host:port/path?query`) with `body` (as application/json when not empty) and
/// reads the answer, all within `timeout`. Never throws for what the server does; throws
/// std::invalid_argument for a URL it cannot read.
HttpReply test_http(std::string_view method, std::string_view url, std::string_view body = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(2));

/// What raw_http read: every byte until the server closed the connection, or until the
/// timeout (transport says which).
struct RawReply {
    std::string data;
    Transport transport = Transport::ok;
    std::string error;
};

/// Sends `bytes` as they are to the host and port of `url`, then reads until the server closes
/// the connection or `timeout` passes: for keep-alive, pipelining and malformed requests.
RawReply raw_http(std::string_view url, std::string_view bytes,
                  std::chrono::milliseconds timeout = std::chrono::seconds(2));

/// The number of complete HTTP status lines ("HTTP/1.1 ") in raw output.
int count_responses(std::string_view raw);

}  // namespace cluster_client::testing
