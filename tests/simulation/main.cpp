// SPDX-License-Identifier: MIT
// saga-simulator: the deterministic simulation of docs/simulation.md. It draws scenarios from
// a seed, runs each in simulated time against the real SagaMachine, and checks I1 to I5 on
// the simulated nodes' true state. A failure prints the scenario, what broke, a trace, and
// the command that replays it exactly.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "world.hpp"

namespace {

std::uint64_t scenario_seed(std::uint64_t seed, std::uint64_t index) {
    return seed * 1000003ull + index;
}

void print_failure(const simulation::Scenario& scenario) {
    simulation::World world(scenario, true);
    world.run();
    std::cout << scenario.describe() << '\n';
    for (const auto& violation : world.oracle().violations()) std::cout << "  violation: " << violation << '\n';
    std::cout << "trace:\n";
    for (const auto& line : world.trace()) std::cout << "  " << line << '\n';
    std::cout << "replay: saga-simulator --replay " << scenario.seed << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"saga-simulator: the saga machine under every fault, crash and other writer, in simulated time"};
    std::uint64_t sagas = 200000;
    std::uint64_t seed = 1;
    std::optional<std::uint64_t> replay;
    bool trace = false;
    app.add_option("--sagas", sagas, "stop once this many sagas have run")->capture_default_str();
    app.add_option("--seed", seed, "the run's seed: scenario i has seed SEED * 1000003 + i")->capture_default_str();
    app.add_option("--replay", replay, "run the one scenario with this seed, and print its trace");
    app.add_flag("--trace", trace, "with --replay: print the trace even when it passes");
    CLI11_PARSE(app, argc, argv);

    if (replay) {
        const auto scenario = simulation::Scenario::draw(*replay);
        simulation::World world(scenario, true);
        world.run();
        if (!world.oracle().violations().empty()) {
            print_failure(scenario);
            std::cout << "0 passed, 1 failed\n";
            return 1;
        }
        std::cout << scenario.describe() << '\n';
        if (trace) {
            for (const auto& line : world.trace()) std::cout << "  " << line << '\n';
        }
        std::cout << "1 passed, 0 failed\n";
        return 0;
    }

    const auto started = std::chrono::steady_clock::now();
    std::uint64_t simulated = 0;
    std::uint64_t scenarios = 0;
    std::uint64_t takeovers = 0;
    std::uint64_t fenced = 0;
    while (simulated < sagas) {
        const auto scenario = simulation::Scenario::draw(scenario_seed(seed, scenarios++));
        simulation::World world(scenario, false);
        world.run();
        simulated += static_cast<std::uint64_t>(world.sagas_begun());
        takeovers += static_cast<std::uint64_t>(world.takeovers());
        fenced += static_cast<std::uint64_t>(world.fenced_requests());
        if (!world.oracle().violations().empty()) {
            std::cout << "FAILED after " << simulated << " sagas (" << scenarios << " scenarios)\n";
            print_failure(scenario);
            std::cout << "0 passed, 1 failed\n";
            return 1;
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "simulated " << simulated << " sagas in " << scenarios << " scenarios (seed " << seed << "), "
              << "0 violations, " << seconds << " s, "
              << static_cast<std::uint64_t>(static_cast<double>(simulated) / seconds * 60) << " sagas per minute; "
              << takeovers << " sagas taken over from a paused coordinator, " << fenced
              << " requests it was fenced from\n";
    std::cout << "1 passed, 0 failed\n";
    return 0;
}
