// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb queue`: each partition's committed load and ebb's deferred jobs over the next
// hours, next to the forecast (ebbd's GET /v1/queue).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "command_common.hpp"
#include "ebb/daemon_client.hpp"
#include "protocol.hpp"
#include "queue_view.hpp"
#include "subcommands.hpp"

namespace ebb {

int queue_main(int argc, char** argv) {
  CLI::App app{
      "Show, per partition, the CPUs that running and waiting jobs commit over the next "
      "hours against the partition's size, the jobs held until a begin time ahead, and the "
      "forecast, as ebbd sees them. Other users' jobs are only counted unless you are root or "
      "ebbd's user on its Unix socket.",
      "ebb queue"};
  std::string region, partition, config_path = commands::kDefaultConfig, url;
  bool json = false;
  int horizon = 48;
  app.add_option("-p,--partition", partition, "show only this partition");
  app.add_option("-r,--region", region, "the forecast's region (default: ebbd's)");
  auto* config_opt = app.add_option("-c,--config", config_path, "ebb.conf")->capture_default_str();
  app.add_option("--url", url, "ebbd's URL (default: DaemonURL= from ebb.conf)");
  app.add_option("--hours", horizon, "how many hours the charts show")
      ->capture_default_str()
      ->check(CLI::Range(1, 48));
  app.add_flag("--json", json, "print ebbd's answer as JSON for scripts");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const Config config = commands::load_config_for_command(config_path, config_opt->count() > 0);
    const std::string daemon = commands::daemon_url_of(config, url);
    DaemonError error;
    auto reply = fetch_queue_from_daemon(daemon, region, partition, commands::kCommandTimeout,
                                         &error, daemon_trust(config));
    if (!reply) throw std::runtime_error(error.message);
    if (json)
      std::cout << wire::queue_to_json(*reply).dump(2) << "\n";
    else
      std::cout << queue_view::render(*reply, horizon);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb queue: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
