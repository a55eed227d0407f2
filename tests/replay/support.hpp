// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the replay tests: data paths and private temporary files.
#pragma once

#include <string>

#include "grid.hpp"

namespace ebb::replay::test {

std::string data_path(const std::string& name);  // tests/data/replay/<name>
// A fresh private directory for this test process; removed at exit.
std::string temp_dir();
std::string write_temp(const std::string& name, const std::string& text);
// A grid column from a wide CSV in tests/data/replay.
Grid load_grid(const std::string& file, const std::string& column, const char* sample = nullptr);

}  // namespace ebb::replay::test
