// SPDX-License-Identifier: GPL-2.0-or-later
#include "power_history.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "ebb/error.hpp"

namespace ebb::daemon {

namespace {

constexpr std::size_t kFields = 7;

std::optional<std::int64_t> whole(std::string_view v) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
  return out;
}

// "billing=4,cpu=4,gres/gpu=2,mem=4G,node=1": the count of `type`, 0 when absent.
std::int64_t tres(std::string_view list, std::string_view type, const std::string& where) {
  for (std::size_t at = 0; at <= list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    const std::string_view item = list.substr(at, comma - at);
    at = comma + 1;
    if (item.size() <= type.size() || item.substr(0, type.size()) != type ||
        item[type.size()] != '=')
      continue;
    const auto n = whole(item.substr(type.size() + 1));
    if (!n || *n < 0)
      throw InputError(where + ": AllocTRES has a bad " + std::string(type) + ": '" +
                       std::string(item) + "'");
    return *n;
  }
  return 0;
}

}  // namespace

std::vector<MeasuredJob> parse_sacct_energy(std::string_view text, const std::string& source) {
  std::vector<MeasuredJob> jobs;
  std::map<std::string, std::size_t, std::less<>> index;  // job id -> jobs[i]
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, nl);
    text = text.substr(std::min(nl + 1, text.size()));
    ++line_no;
    if (line.empty()) continue;
    const std::string where = source + " line " + std::to_string(line_no);
    std::vector<std::string_view> f;
    for (std::size_t at = 0;;) {
      const std::size_t bar = line.find('|', at);
      f.push_back(line.substr(at, bar == std::string_view::npos ? bar : bar - at));
      if (bar == std::string_view::npos) break;
      at = bar + 1;
    }
    if (f.size() != kFields)
      throw InputError(where + ": expected " + std::to_string(kFields) +
                       " fields separated by '|' (" + std::string(kEnergyFormat + 9) + ")");
    const std::string_view id = f[0];
    const std::size_t dot = id.find('.');
    if (dot != std::string_view::npos) {  // a step: its energy goes to its job
      std::uint64_t joules = 0;
      if (!f[5].empty()) {
        auto [p, ec] = std::from_chars(f[5].data(), f[5].data() + f[5].size(), joules);
        if (ec != std::errc{} || p != f[5].data() + f[5].size())
          throw InputError(where + ": ConsumedEnergyRaw is not joules: '" + std::string(f[5]) +
                           "'");
      }
      // Slurm's NO_VAL64 (2^64 - 2) is "no reading", as are counters that wrapped.
      constexpr std::uint64_t kImplausible = std::uint64_t{1} << 62;
      auto it = index.find(id.substr(0, dot));
      if (it != index.end() && joules > 0 && joules < kImplausible)
        jobs[it->second].sample.joules += static_cast<double>(joules);
      continue;
    }
    MeasuredJob j;
    j.id = std::string(id);
    j.sample.partition = std::string(f[1].substr(0, f[1].find(',')));
    const auto nodes = whole(f[2]);
    if (!nodes || *nodes < 0)
      throw InputError(where + ": NNodes is not a count: '" + std::string(f[2]) + "'");
    j.sample.nodes = static_cast<double>(*nodes);
    j.sample.cores = static_cast<double>(tres(f[3], "cpu", where));
    j.sample.gpus = static_cast<double>(tres(f[3], "gres/gpu", where));
    const auto elapsed = whole(f[4]);
    if (!elapsed)
      throw InputError(where + ": ElapsedRaw is not a number of seconds: '" + std::string(f[4]) +
                       "'");
    j.sample.seconds = static_cast<double>(*elapsed);
    const auto end = whole(f[6]);
    if (!end)
      throw InputError(where + ": End is not epoch seconds (SLURM_TIME_FORMAT=%s): '" +
                       std::string(f[6]) + "'");
    j.end = *end;
    index[j.id] = jobs.size();
    jobs.push_back(std::move(j));
  }
  // Only the measured ones (fit_power also skips the rest; leaving them out here keeps
  // ebbd's store to what it can use).
  std::erase_if(
      jobs, [](const MeasuredJob& j) { return !(j.sample.joules > 0 && j.sample.seconds > 0); });
  return jobs;
}

}  // namespace ebb::daemon
