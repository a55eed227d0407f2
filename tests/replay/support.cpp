// SPDX-License-Identifier: GPL-2.0-or-later
#include "support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "engine.hpp"

namespace ebb::replay::test {

namespace {
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ebb-replay-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
}  // namespace

std::string data_path(const std::string& name) {
  return std::string(EBB_REPLAY_DATA_DIR) + "/" + name;
}

std::string temp_dir() {
  static TempDir dir;
  return dir.path;
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

Grid load_grid(const std::string& file, const std::string& column, const char* sample) {
  GridReadOptions o;
  o.column = column;
  if (sample) o.sample_step = parse_short_duration(sample);
  PointSeries p = read_wide_csv(data_path(file), o);
  return Grid(points_to_slots(p), false, p.source);
}

}  // namespace ebb::replay::test
