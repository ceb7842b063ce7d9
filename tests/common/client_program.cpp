// SPDX-License-Identifier: MIT
#include "client_program.hpp"

#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

namespace cluster_client::testing {

namespace {

std::string test_home(const ::testing::TestInfo& test) {
    return ::testing::TempDir() + "cli-" + std::to_string(::getpid()) + "-" + test.test_suite_name() + "-" +
           test.name();
}

// Removes a passed test's files for cluster-client (its state, config and the files beside
// them); a failed test's stay, for whoever reads its failure.
class RemoveClientFiles : public ::testing::EmptyTestEventListener {
    void OnTestEnd(const ::testing::TestInfo& test) override {
        if (!test.result()->Passed()) return;
        const std::string prefix = std::filesystem::path(test_home(test)).filename().string() + "-";
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(::testing::TempDir(), error)) {
            if (entry.path().filename().string().starts_with(prefix)) std::filesystem::remove_all(entry.path(), error);
        }
    }
};

const bool removes_client_files = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new RemoveClientFiles);
    return true;
}();

}  // namespace

std::string client_test_home() {
    return test_home(*::testing::UnitTest::GetInstance()->current_test_info());
}

std::string client_state_home() {
    return client_test_home() + "-state";
}

std::string client_config_home() {
    return client_test_home() + "-config";
}

ProgramResult cli(const std::vector<std::string>& args, ProgramOptions options) {
    options.env.insert(
        options.env.begin(),
        {{"HOSTS", std::nullopt}, {"XDG_STATE_HOME", client_state_home()}, {"XDG_CONFIG_HOME", client_config_home()}});
    return run_program(CLUSTER_CLIENT_EXE, args, options);
}

std::string host_list(const std::vector<std::string>& urls) {
    std::string hosts;
    for (const auto& url : urls) hosts += (hosts.empty() ? "" : ",") + url;
    return hosts;
}

ProgramOptions with_env(const std::string& name, const std::string& value) {
    return with_env({{name, value}});
}

ProgramOptions with_env(std::vector<std::pair<std::string, std::optional<std::string>>> env) {
    ProgramOptions options;
    options.env = std::move(env);
    return options;
}

}  // namespace cluster_client::testing
