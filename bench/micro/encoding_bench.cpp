// SPDX-License-Identifier: MIT
// Request encoding: the request text, the percent-encoded path segment and the JSON body.
#include <cstdint>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "http/wire.hpp"
#include "node_api/encoding.hpp"

namespace {

using cluster_client::http::format_request;
using cluster_client::http::Method;
using cluster_client::node_api::encode_path_segment;
using cluster_client::node_api::group_body;
using cluster_client::node_api::parse_group_body;

constexpr std::string_view host_header = "node-1.cluster.internal:8080";

std::string short_id() {
    return "team-42";
}

// 200 bytes of valid UTF-8 with spaces and multi-byte characters, so that most of it needs
// percent-encoding (each non-ASCII byte becomes three) and the JSON body stays parseable.
std::string long_id() {
    constexpr std::string_view unit = "\xC3\xA9quipe de nuit \xE2\x80\x93 Z\xC3\xBCrich ";
    std::string id;
    while (id.size() + unit.size() <= 200) id += unit;
    id.append(200 - id.size(), 'x');
    return id;
}

void BM_EncodePathSegment(benchmark::State& state, const std::string& id) {
    for (auto _ : state) {
        std::string segment = encode_path_segment(id);
        benchmark::DoNotOptimize(segment);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(id.size()));
}
BENCHMARK_CAPTURE(BM_EncodePathSegment, short_id, short_id());
BENCHMARK_CAPTURE(BM_EncodePathSegment, long_id, long_id());

void BM_GroupBody(benchmark::State& state, const std::string& id) {
    for (auto _ : state) {
        std::string body = group_body(id);
        benchmark::DoNotOptimize(body);
    }
}
BENCHMARK_CAPTURE(BM_GroupBody, short_id, short_id());
BENCHMARK_CAPTURE(BM_GroupBody, long_id, long_id());

void BM_ParseGroupBody(benchmark::State& state, const std::string& id) {
    const std::string body = group_body(id);
    if (parse_group_body(body) != id) {
        state.SkipWithError("the body does not round-trip");
        return;
    }
    for (auto _ : state) {
        auto parsed = parse_group_body(body);
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK_CAPTURE(BM_ParseGroupBody, short_id, short_id());
BENCHMARK_CAPTURE(BM_ParseGroupBody, long_id, long_id());

// The target is encoded beforehand: this is the cost of the request text alone.
void BM_FormatRequestGet(benchmark::State& state, const std::string& id) {
    const std::string target = "/v1/group/" + encode_path_segment(id) + "/";
    for (auto _ : state) {
        std::string text = format_request(Method::get, target, host_header, {});
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK_CAPTURE(BM_FormatRequestGet, short_id, short_id());
BENCHMARK_CAPTURE(BM_FormatRequestGet, long_id, long_id());

void BM_FormatRequestPost(benchmark::State& state, const std::string& id) {
    const std::string body = group_body(id);
    for (auto _ : state) {
        std::string text = format_request(Method::post, "/v1/group/", host_header, body);
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK_CAPTURE(BM_FormatRequestPost, short_id, short_id());
BENCHMARK_CAPTURE(BM_FormatRequestPost, long_id, long_id());

// What one GET costs to encode as the client builds it: the segment, the path, the text.
void BM_BuildGetRequest(benchmark::State& state, const std::string& id) {
    for (auto _ : state) {
        const std::string path = "/v1/group/" + encode_path_segment(id) + "/";
        std::string text = format_request(Method::get, path, host_header, {});
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK_CAPTURE(BM_BuildGetRequest, short_id, short_id());
BENCHMARK_CAPTURE(BM_BuildGetRequest, long_id, long_id());

// The same for a POST: the JSON body, then the text.
void BM_BuildPostRequest(benchmark::State& state, const std::string& id) {
    for (auto _ : state) {
        const std::string body = group_body(id);
        std::string text = format_request(Method::post, "/v1/group/", host_header, body);
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK_CAPTURE(BM_BuildPostRequest, short_id, short_id());
BENCHMARK_CAPTURE(BM_BuildPostRequest, long_id, long_id());

}  // namespace
