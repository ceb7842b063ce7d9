// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace cluster_client::testing {

/// A directory of the running test's own (under GoogleTest's temp directory, named after the
/// test and this process), empty when made and removed with everything in it at the end:
/// a saga log or state directory that never leaks between tests, nor into the user's.
class TestDirectory {
public:
    explicit TestDirectory(const std::string& prefix) {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::path(::testing::TempDir()) /
                (prefix + "-" + std::to_string(::getpid()) + "-" + test->name());
        std::filesystem::remove_all(path_);
    }
    ~TestDirectory() { std::filesystem::remove_all(path_); }
    TestDirectory(const TestDirectory&) = delete;
    TestDirectory& operator=(const TestDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace cluster_client::testing
