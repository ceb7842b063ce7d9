// SPDX-License-Identifier: MIT
#include "client_program.hpp"

#include <unistd.h>

#include <utility>

#include <gtest/gtest.h>

namespace cluster_client::testing {

std::string client_test_home() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return ::testing::TempDir() + "cli-" + std::to_string(::getpid()) + "-" + test->test_suite_name() + "-" +
           test->name();
}

std::string client_state_home() { return client_test_home() + "-state"; }

std::string client_config_home() { return client_test_home() + "-config"; }

ProgramResult cli(const std::vector<std::string>& args, ProgramOptions options) {
    options.env.insert(options.env.begin(), {{"HOSTS", std::nullopt},
                                             {"XDG_STATE_HOME", client_state_home()},
                                             {"XDG_CONFIG_HOME", client_config_home()}});
    return run_program(CLUSTER_CLIENT_EXE, args, options);
}

ProgramOptions with_env(const std::string& name, const std::string& value) { return with_env({{name, value}}); }

ProgramOptions with_env(std::vector<std::pair<std::string, std::optional<std::string>>> env) {
    ProgramOptions options;
    options.env = std::move(env);
    return options;
}

}  // namespace cluster_client::testing
