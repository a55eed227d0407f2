// SPDX-License-Identifier: GPL-2.0-or-later
#include "archive.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "ebb/error.hpp"
#include "grid.hpp"
#include "io.hpp"

namespace ebb::replay {

ForecastArchive::ForecastArchive(std::vector<Snapshot> snapshots, std::string source)
    : snapshots_(std::move(snapshots)), source_(std::move(source)) {
  std::sort(snapshots_.begin(), snapshots_.end(),
            [](const Snapshot& a, const Snapshot& b) { return a.issued < b.issued; });
}

ForecastArchive ForecastArchive::read(const std::string& path) {
  const std::string text = read_text_file(path);
  LineReader lines(text, path);
  std::string_view line;
  bool header = false;
  // Per issue time, the points in time order (a map: rows may come in any order).
  std::map<TimePoint, std::map<TimePoint, double>> points;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    if (!header) {
      if (fields.size() != 3 || lower(trim(fields[0])) != "issued_at" ||
          lower(trim(fields[1])) != "time" || lower(trim(fields[2])) != "forecast")
        throw lines.error("expected the header issued_at,time,forecast");
      header = true;
      continue;
    }
    if (fields.size() != 3)
      throw lines.error("expected 3 fields, found " + std::to_string(fields.size()));
    TimePoint issued, t;
    try {
      issued = parse_iso8601(trim(fields[0]));
      t = parse_iso8601(trim(fields[1]));
    } catch (const InputError& e) {
      throw lines.error(std::string("bad time: ") + e.what());
    }
    double v = 0;
    if (!parse_double(trim(fields[2]), v) || !std::isfinite(v) || v < 0 || v > 5000)
      throw lines.error("forecast: not a carbon intensity: '" + std::string(trim(fields[2])) + "'");
    if (!points[issued].emplace(t, v).second)
      throw lines.error("time " + format_utc(t) + " appears twice for the forecast issued " +
                        format_utc(issued));
  }
  if (points.empty()) throw InputError(path + ": no forecast rows");
  std::vector<Snapshot> snapshots;
  for (const auto& [issued, values] : points) {
    PointSeries p;
    for (const auto& [t, v] : values) {
      p.times.push_back(t);
      p.values.push_back(v);
    }
    Snapshot s{issued, points_to_slots(p)};
    for (Slot& slot : s.slots) slot.origin = Origin::forecast;
    snapshots.push_back(std::move(s));
  }
  return ForecastArchive(std::move(snapshots), path);
}

const ForecastArchive::Snapshot* ForecastArchive::latest_before(TimePoint now) const {
  auto it = std::lower_bound(snapshots_.begin(), snapshots_.end(), now,
                             [](const Snapshot& s, TimePoint t) { return s.issued < t; });
  if (it == snapshots_.begin()) return nullptr;
  return &*std::prev(it);
}

}  // namespace ebb::replay
