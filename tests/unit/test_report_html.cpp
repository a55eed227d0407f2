// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb report --format html` opened in a real browser (Debian's chromium, headless): the page
// loads with no console message, its script ran, the plots are there and the totals it
// shows are the CSV's for the same data. The data is the real sacct fixture
// (tests/data/sacct/jobs.json) copied into three accounts at later starts and longer runs,
// so that jobs wait and save; the actuals are made up, cleaner by the hour. No Slurm cluster
// needed.
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster_view.hpp"
#include "ebb/time.hpp"

#if !defined(EBB_SACCT_FIXTURE) || !defined(EBB_CLI_PATH)
#error "EBB_SACCT_FIXTURE and EBB_CLI_PATH must be defined"
#endif

using namespace ebb;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

struct Run {
  int exit_code;
  std::string out, err;
};
Run run(const std::vector<std::string>& argv) {
  std::string out;
  auto r = daemon::run_command(argv, std::chrono::seconds(120), std::size_t{256} << 20, out);
  return {r.exit_code, out, r.err};
}

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = std::filesystem::temp_directory_path() / "ebb-html-XXXXXX";
    path = ::mkdtemp(tmpl.data()) ? tmpl : throw std::runtime_error("mkdtemp failed");
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// The value of attribute `name` in the tag that starts at `tag`.
std::string attribute(const std::string& html, std::size_t tag, const std::string& name) {
  const std::size_t end = html.find('>', tag);
  const std::size_t at = html.find(" " + name + "=\"", tag);
  if (at == std::string::npos || at > end) return "";
  const std::size_t from = at + name.size() + 3;
  return html.substr(from, html.find('"', from) - from);
}

// Every value of attribute `name` on tags inside the element with id `id`.
std::vector<std::string> attributes_in(const std::string& html, const std::string& id,
                                       const std::string& name) {
  std::vector<std::string> out;
  const std::size_t from = html.find("id=\"" + id + "\"");
  if (from == std::string::npos) return out;
  const std::size_t to = html.find("</svg>", from);
  for (std::size_t at = html.find(" " + name + "=\"", from); at < to;
       at = html.find(" " + name + "=\"", at + 1)) {
    const std::size_t v = at + name.size() + 3;
    out.push_back(html.substr(v, html.find('"', v) - v));
  }
  return out;
}

}  // namespace

TEST_CASE("the HTML report in headless chromium: no console errors, plots, the CSV's totals",
          "[report][html]") {
  TempDir dir;
  // Three accounts, each a copy of the fixture's jobs started k * 3 h later than recorded.
  nlohmann::json fixture = nlohmann::json::parse(read_file(EBB_SACCT_FIXTURE));
  nlohmann::json jobs = nlohmann::json::array();
  std::int64_t first = INT64_MAX;
  const char* accounts[] = {"physics", "chemistry", "biology"};
  for (int k = 0; k < 3; ++k) {
    for (nlohmann::json job : fixture["jobs"]) {
      job["job_id"] = job["job_id"].get<std::int64_t>() + 1000 * k;
      job["account"] = accounts[k];
      for (const char* group : {"array", "het"})  // array tasks and hetjob parts: new ids too
        if (job[group]["job_id"].get<std::int64_t>() != 0)
          job[group]["job_id"] = job[group]["job_id"].get<std::int64_t>() + 1000 * k;
      auto& t = job["time"];
      first = std::min(first, t["submission"].get<std::int64_t>());
      // Started jobs run 4 h on 32 cores from k * 6 h after their real start, so that
      // the numbers are big enough to show (the fixture's jobs ran for seconds).
      if (const std::int64_t start = t["start"].get<std::int64_t>(); start > 0) {
        t["start"] = start + 6 * 3600 * k;
        t["end"] = start + 6 * 3600 * k + 4 * 3600;
        t["elapsed"] = 4 * 3600;
        for (auto& tres : job["tres"]["allocated"])
          if (tres["type"] == "cpu") tres["count"] = 32;
      }
      jobs.push_back(job);
    }
  }
  fixture["jobs"] = jobs;
  write_file(dir.path + "/sacct.json", fixture.dump(2));
  // Hourly actuals from a day before to two days after: 400 g/kWh falling 5 an hour.
  const TimePoint day = std::chrono::floor<std::chrono::days>(TimePoint{seconds{first}});
  std::string history = "# ebbd history: UTC hour, mean carbon intensity (g/kWh), mean price\n";
  for (int h = -24; h < 48; ++h)
    history += format_utc(day + hours(h)) + "," + std::to_string(400 - 5 * (h + 24)) + "," +
               std::to_string(90 - h) + "\n";
  write_file(dir.path + "/region.history", history);
  write_file(dir.path + "/ebb.conf", "# defaults\n");
  const std::string from = format_utc(day).substr(0, 10);
  const std::string to = format_utc(day + hours(48)).substr(0, 10);

  auto report = [&](const std::string& format, const std::vector<std::string>& more) {
    std::vector<std::string> argv{EBB_CLI_PATH,   "report",
                                  "--from",       from,
                                  "--to",         to,
                                  "-c",           dir.path + "/ebb.conf",
                                  "--actuals",    dir.path + "/region.history",
                                  "--sacct-json", dir.path + "/sacct.json",
                                  "--format",     format};
    argv.insert(argv.end(), more.begin(), more.end());
    Run r = run(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  const std::string csv = report("csv", {});
  const std::string page_path = dir.path + "/report.html";
  report("html", {"-o", page_path});
  const std::string page = read_file(page_path);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));  // nothing fetched
  CHECK(page.find("https://") == std::string::npos);

  const char* chromium = std::getenv("EBB_CHROMIUM") ? std::getenv("EBB_CHROMIUM") : "chromium";
  Run browser;
  try {
    browser = run({chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                   "--user-data-dir=" + dir.path + "/profile", "--enable-logging=stderr", "--v=0",
                   "--dump-dom", "file://" + page_path});
  } catch (const std::exception& e) {
    FAIL(std::string(e.what()) + ": install Debian's chromium (contrib/install-deps.sh)");
  }
  INFO(browser.err);
  REQUIRE(browser.exit_code == 0);
  const std::string& dom = browser.out;
  // The page's script ran to its end, and nothing was written to the console.
  CHECK(dom.find("<body data-ready=\"1\">") != std::string::npos);
  CHECK(browser.err.find(":CONSOLE") == std::string::npos);
  CHECK(browser.err.find("Uncaught") == std::string::npos);

  // The CSV's total row, by column.
  std::istringstream lines(csv);
  std::string head, line, total;
  std::getline(lines, head);
  while (std::getline(lines, line))
    if (line.rfind("total,", 0) == 0) total = line;
  REQUIRE_FALSE(total.empty());
  std::map<std::string, std::string> expected;
  {
    std::istringstream h(head), v(total);
    std::string name, value;
    while (std::getline(h, name, ',') && std::getline(v, value, ',')) expected[name] = value;
  }
  REQUIRE(expected.at("jobs") == "12");  // 4 planned jobs in each of 3 accounts
  CHECK(std::stod(expected.at("kgco2_saved")) > 0);
  CHECK(std::stod(expected.at("mean_added_wait_h")) > 0);

  // The table's total row, as the browser has it, shows the same numbers.
  const std::size_t row = dom.find("<tr class=\"total\">");
  REQUIRE(row != std::string::npos);
  const std::size_t row_end = dom.find("</tr>", row);
  std::size_t cells = 0;
  for (std::size_t at = dom.find("<td data-col=\"", row); at < row_end;
       at = dom.find("<td data-col=\"", at + 1)) {
    const std::string col = attribute(dom, at, "data-col");
    const std::size_t v = dom.find('>', at) + 1;
    INFO(col);
    CHECK(dom.substr(v, dom.find('<', v) - v) == expected.at(col));
    ++cells;
  }
  CHECK(cells == expected.size() - 1);  // every column but the key

  // The plots: the cumulative lines end at the totals, the accounts' bars add up to them,
  // the intensity is drawn with a tick for every job that ran.
  for (const char* id : {"cumulative-kgco2", "cumulative-cost", "by-account", "intensity"}) {
    INFO(id);
    CHECK(dom.find("<svg id=\"" + std::string(id) + "\"") != std::string::npos);
  }
  const auto finals = attributes_in(dom, "cumulative-kgco2", "data-final");
  REQUIRE(finals.size() == 1);
  CHECK(std::stod(finals[0]) == Approx(std::stod(expected.at("kgco2_saved"))).margin(5e-4));
  const auto cost_finals = attributes_in(dom, "cumulative-cost", "data-final");
  REQUIRE(cost_finals.size() == 1);
  CHECK(std::stod(cost_finals[0]) == Approx(std::stod(expected.at("cost_saved"))).margin(5e-3));
  const auto bars = attributes_in(dom, "by-account", "data-value");
  REQUIRE(bars.size() == 3);
  double sum = 0;
  for (const auto& b : bars) sum += std::stod(b);
  CHECK(sum == Approx(std::stod(expected.at("kgco2_saved"))).margin(5e-4));
  CHECK(attributes_in(dom, "intensity", "points").size() >= 1);
  std::size_t starts = 0;
  for (const auto& c : attributes_in(dom, "intensity", "data-count")) starts += std::stoul(c);
  CHECK(starts == 12 - 3 * 1);  // the never-started job has no start
}
