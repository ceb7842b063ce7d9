// SPDX-License-Identifier: MIT
#include "reference_node/fault_injector.hpp"

#include <algorithm>

namespace cluster_client::reference_node {
namespace {

// The top 53 bits of one 64-bit output as a double in [0, 1): unlike
// std::uniform_real_distribution, the same on every standard library.
double unit_draw(std::mt19937_64& generator) {
    return static_cast<double>(generator() >> 11) * 0x1.0p-53;
}

}  // namespace

void FaultInjector::configure(const FaultOptions& faults, int index) {
    const std::array<double, 5> probabilities{faults.p_500_before, faults.p_500_after, faults.p_hang_before,
                                              faults.p_hang_after, faults.p_reset};
    std::array<double, 5> ends{};
    double sum = 0.0;
    for (std::size_t i = 0; i < probabilities.size(); ++i) {
        sum += probabilities[i];
        ends[i] = sum;
    }
    const bool listed = faults.faulty_nodes.empty() || std::find(faults.faulty_nodes.begin(), faults.faulty_nodes.end(),
                                                                 index) != faults.faulty_nodes.end();

    const std::lock_guard lock(mutex_);
    generator_.seed(faults.seed + static_cast<std::uint64_t>(index));
    band_ends_ = ends;
    faulty_ = listed && sum > 0.0;
    latency_ = faults.latency;
}

RequestFate FaultInjector::next() {
    static constexpr std::array<Fault, 5> band_faults{Fault::error_before, Fault::error_after, Fault::hang_before,
                                                      Fault::hang_after, Fault::reset};
    const std::lock_guard lock(mutex_);
    RequestFate fate{Fault::none, latency_};
    if (faulty_) {
        const double draw = unit_draw(generator_);
        for (std::size_t i = 0; i < band_ends_.size(); ++i) {
            if (draw < band_ends_[i]) {
                fate.fault = band_faults[i];
                break;
            }
        }
    }
    ++injected_[static_cast<std::size_t>(fate.fault)];
    return fate;
}

std::array<std::uint64_t, 6> FaultInjector::injected() const {
    const std::lock_guard lock(mutex_);
    return injected_;
}

}  // namespace cluster_client::reference_node
