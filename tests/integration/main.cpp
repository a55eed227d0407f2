// SPDX-License-Identifier: GPL-2.0-or-later
// Runs the integration tests in a time zone with a half-hour offset, so that any mix-up
// of local time (what sbatch parses and scontrol prints) and UTC shows.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>

int main(int argc, char** argv) {
  ::setenv("TZ", "IST-5:30", 1);
  ::tzset();
  return Catch::Session().run(argc, argv);
}
