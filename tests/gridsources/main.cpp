// SPDX-License-Identifier: GPL-2.0-or-later
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>

int main(int argc, char* argv[]) {
  // The tests talk only to servers on 127.0.0.1: keep any proxy of the environment out of it.
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  return Catch::Session().run(argc, argv);
}
