// SPDX-License-Identifier: GPL-2.0-or-later
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "source_base.hpp"

using namespace ebb;
using namespace ebb::gridsources;

TEST_CASE("key files readable by group or others are refused", "[normalise]") {
  ebbtest::TempDir dir;
  const std::string path = dir.write("em.key", "  secret-token\n");
  ::chmod(path.c_str(), 0600);
  CHECK(read_secret_file("electricity-maps", path, "KeyFile") == "secret-token");

  ::chmod(path.c_str(), 0640);
  CHECK_THROWS_WITH(
      read_secret_file("electricity-maps", path, "KeyFile"),
      "electricity-maps: KeyFile " + path +
          " is readable by group or others (mode 0640); refusing to use it. Run: chmod 600 " +
          path);
  ::chmod(path.c_str(), 0604);
  CHECK_THROWS_WITH(read_secret_file("electricity-maps", path, "KeyFile"),
                    Catch::Contains("mode 0604"));

  const std::string empty = dir.write("empty.key", "\n");
  ::chmod(empty.c_str(), 0400);
  CHECK_THROWS_WITH(read_secret_file("x", empty, "KeyFile"), Catch::Contains("is empty"));
  CHECK_THROWS_WITH(read_secret_file("x", (dir.path() / "missing").string(), "KeyFile"),
                    Catch::Contains("No such file"));
  CHECK_THROWS_WITH(read_secret_file("x", dir.path().string(), "KeyFile"),
                    Catch::Contains("not a regular file"));
}

TEST_CASE("key files owned by another user are refused", "[normalise]") {
  // Only root can give a file away; as another user there is nothing to try.
  if (::geteuid() != 0) {
    WARN("not root: cannot chown a key file to another user; skipped");
    return;
  }
  ebbtest::TempDir dir;
  const std::string path = dir.write("em.key", "secret-token\n");
  ::chmod(path.c_str(), 0600);
  REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
  CHECK_THROWS_WITH(read_secret_file("electricity-maps", path, "KeyFile"),
                    Catch::Contains("KeyFile " + path + " is owned by uid 65534, not by uid 0") &&
                        Catch::Contains("refusing to use it"));
  REQUIRE(::chown(path.c_str(), 0, 0) == 0);
  CHECK(read_secret_file("electricity-maps", path, "KeyFile") == "secret-token");
}

TEST_CASE("unknown sources and missing keys are named", "[normalise]") {
  FetchOptions o;
  CHECK_THROWS_WITH(
      make_carbon_source({{"carbonsource", "nope"}}, o),
      Catch::Contains("CarbonSource=nope: unknown carbon source; known: uk-carbon-intensity"));
  CHECK_THROWS_WITH(make_price_source({}, o), Catch::Contains("PriceSource= is needed"));
  CHECK_THROWS_WITH(
      make_carbon_source({{"carbonsource", "uk-carbon-intensity"}, {"regionid", "40"}}, o),
      "uk-carbon-intensity: ebb.conf: RegionId=40: expected 1 to 17");
  CHECK_THROWS_WITH(
      make_carbon_source({{"carbonsource", "uk-carbon-intensity"}, {"postcode", "RG41 2AB"}}, o),
      Catch::Contains("Postcode=RG41 2AB: expected the outward part"));
  CHECK_THROWS_WITH(make_carbon_source({{"carbonsource", "file"}}, o),
                    Catch::Contains("CarbonFile="));
}
