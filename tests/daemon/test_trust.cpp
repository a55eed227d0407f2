// SPDX-License-Identifier: GPL-2.0-or-later
// Who the client believes: ebbd on a Unix socket (SO_PEERCRED) and over TCP
// (MUNGE), and a stranger listening where ebbd would, as the user nobody, through a real
// hostile_ebbd process. Needs root (to become nobody) and munged.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon_auth.hpp"
#include "ebb/config.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "protocol.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::test::TempDir;
using ebb::test::write_text;

namespace {

const auto kT0 = ebb::parse_iso8601("2026-11-23T10:00:00Z");
constexpr uid_t kNobody = 65534;

// A folder the stranger (nobody) owns, inside `dir`, which everyone may enter.
std::string strangers_folder(const TempDir& dir) {
  ::chmod(dir.path().c_str(), 0755);
  const std::string folder = dir.file("stranger");
  std::filesystem::create_directory(folder);
  if (::chown(folder.c_str(), kNobody, kNobody) != 0) throw std::runtime_error("chown failed");
  return folder;
}

// hostile_ebbd as a child process (see hostile_ebbd.cpp for its arguments).
class Stranger {
 public:
  Stranger(const std::string& folder, const std::string& listen, const std::string& sign)
      : record_(folder + "/requests") {
    const std::string ready = folder + "/ready";
    std::vector<std::string> args = {HOSTILE_EBBD_PATH, listen, "nobody", ready,
                                     record_,           "600",  sign};
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (!ebb::test::wait_until([&] { return std::filesystem::exists(ready); }, 10s)) {
      throw std::runtime_error("hostile_ebbd did not start");
    }
    std::string where = ebb::test::read_text(ready);
    url_ = where.rfind("unix", 0) == 0 ? listen
                                       : "http://127.0.0.1:" + where.substr(0, where.size() - 1);
  }
  ~Stranger() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Stranger(const Stranger&) = delete;
  Stranger& operator=(const Stranger&) = delete;
  const std::string& url() const { return url_; }
  // The requests it received (one JSON body a line).
  std::string received() const {
    return std::filesystem::exists(record_) ? ebb::test::read_text(record_) : "";
  }

 private:
  pid_t pid_ = -1;
  std::string record_;
  std::string url_;
};

ebb::PlanQuery a_job() {
  ebb::PlanQuery q;
  q.now = kT0;
  q.deadline = kT0 + ebb::hours(12);
  q.job.time_limit = ebb::hours(1);
  q.job.job_name = "secret-job-name";
  return q;
}

// ebbd's ebb.conf: one region from a forecast file, planned at kT0.
std::string ebbd_conf(const TempDir& dir) {
  write_text(dir.file("provider.csv"), ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  write_text(dir.file("ebb.conf"),
             "CacheDir=" + dir.file("cache") +
                 "\nRegionName=gb CarbonSource=file CarbonFile=" + dir.file("provider.csv") + "\n");
  return dir.file("ebb.conf");
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The stranger's plan: deferred by its 600 minutes.
bool strangers_plan(const std::optional<ebb::Decision>& d) {
  return d && d->defer && d->start - ebb::now_utc() > ebb::hours(9);
}

}  // namespace

TEST_CASE("DaemonUrl=unix:/path, DaemonUser= and DaemonAuth= are read and checked", "[trust]") {
  auto u = ebb::http::parse_url("unix:/run/ebb/ebbd.sock");
  CHECK(u.socket_path == "/run/ebb/ebbd.sock");
  CHECK_THROWS_WITH(ebb::http::parse_url("unix:run/ebbd.sock"),
                    Catch::Contains("unix:/absolute/path"));
  CHECK_THROWS_WITH(ebb::http::parse_url("unix:/" + std::string(120, 'x')),
                    Catch::Contains("longer than 107 bytes"));
  ebb::Config c = ebb::parse_config("DaemonUser=ebb\nDaemonAuth=munge\n", "ebb.conf");
  CHECK(c.daemon_user == "ebb");
  CHECK(c.daemon_auth == ebb::DaemonAuth::munge);
  CHECK(ebb::Config{}.daemon_user == "slurm");
  CHECK(ebb::Config{}.daemon_auth == ebb::DaemonAuth::automatic);
  CHECK_THROWS_WITH(ebb::parse_config("DaemonAuth=off\n", "ebb.conf"),
                    Catch::Contains("ebb.conf line 1: DaemonAuth: expected auto, munge or none"));
}

TEST_CASE("ebbd serves a Unix socket, only in a folder that no other user can write to",
          "[trust]") {
  TempDir dir;
  const std::string conf = ebbd_conf(dir);
  const std::string socket = dir.file("ebbd.sock");
  {
    ebb::test::Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0)}, "unix:" + socket);
    CHECK(ebbd.url() == "unix:" + socket);
    struct stat st {};
    REQUIRE(::stat(socket.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0666);  // every user submits jobs
    REQUIRE(ebb::test::wait_until([&] { return ebbd.get("/v1/forecast").status == 200; }));
    // ebbd runs as root here, which DaemonUser=slurm (the default) accepts too.
    ebb::DaemonError error;
    auto d = ebb::ask_daemon_for_plan(ebbd.url(), a_job(), 5s, &error);
    INFO(error.message);
    CHECK(d);
    // DaemonAuth=munge asks for the credential on the socket as well.
    CHECK(ebb::ask_daemon_for_plan(ebbd.url(), a_job(), 5s, &error,
                                   {"slurm", ebb::DaemonAuth::munge}));
    auto forecast = ebb::fetch_forecast_from_daemon(ebbd.url(), "gb", 5s, &error);
    CHECK(forecast);
    CHECK(ebbd.stop() == 0);
  }
  CHECK_FALSE(std::filesystem::exists(socket));  // removed on SIGTERM

  // A folder where others could swap the socket for their own.
  const std::string open = dir.file("open");
  std::filesystem::create_directory(open);
  ::chmod(open.c_str(), 01777);
  CHECK(ebb::test::run_ebbd({"--config", conf, "--listen", "unix:" + open + "/ebbd.sock"},
                            dir.file("open.log")) == 2);
  CHECK(has(ebb::test::read_text(dir.file("open.log")),
            "Listen=unix:" + open + "/ebbd.sock: the folder " + open +
                " is writable by every user (mode 1777)"));
  const std::string theirs = strangers_folder(dir);
  CHECK(ebb::test::run_ebbd({"--config", conf, "--listen", "unix:" + theirs + "/ebbd.sock"},
                            dir.file("theirs.log")) == 2);
  CHECK(has(ebb::test::read_text(dir.file("theirs.log")), "belongs to uid 65534"));
}

TEST_CASE("a stranger's Unix socket on DaemonUrl is refused before the job is sent", "[trust]") {
  TempDir dir;
  const std::string folder = strangers_folder(dir);
  Stranger stranger(folder, "unix:" + folder + "/ebbd.sock", "none");
  ebb::DaemonError error;
  auto d = ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error);
  CHECK_FALSE(d);
  CHECK(has(error.message, "ebbd at " + stranger.url() +
                               ": the socket is served by uid 65534 (nobody), not by DaemonUser "
                               "slurm or root"));
  CHECK(stranger.received().empty());  // not even the job's name reached it
  CHECK_FALSE(ebb::fetch_forecast_from_daemon(stranger.url(), "gb", 2s, &error));
  // Without the check (DaemonAuth=none), its plan would be applied.
  CHECK(strangers_plan(
      ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error, ebb::test::kNoAuth)));
  CHECK(has(stranger.received(), "secret-job-name"));
}

TEST_CASE("a stranger on ebbd's TCP port is refused without ebbd's MUNGE credential", "[trust]") {
  TempDir dir;
  const std::string folder = strangers_folder(dir);
  ebb::DaemonError error;
  SECTION("no credential") {
    Stranger stranger(folder, "127.0.0.1:0", "none");
    CHECK_FALSE(ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error));
    CHECK(has(error.message, "the answer carries no MUNGE credential"));
    CHECK(strangers_plan(
        ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error, ebb::test::kNoAuth)));
  }
  SECTION("its own credential, for the right nonce and answer") {
    Stranger stranger(folder, "127.0.0.1:0", "self");
    CHECK_FALSE(ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error));
    CHECK(has(error.message,
              "its MUNGE credential is from uid 65534 (nobody), not from DaemonUser "
              "slurm or root"));
    // DaemonUser=nobody would trust it: the credential itself is sound.
    CHECK(strangers_plan(ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error,
                                                  {"nobody", ebb::DaemonAuth::automatic})));
  }
}

TEST_CASE("ebbd signs its answers with MUNGE; a replayed or altered answer is refused", "[trust]") {
  TempDir dir;
  ebb::test::Daemon ebbd(ebbd_conf(dir), dir.path(), {"--now", ebb::format_utc(kT0)});
  REQUIRE(ebb::test::wait_until([&] { return ebbd.get("/v1/forecast").status == 200; }));
  ebb::DaemonError error;
  auto d = ebb::ask_daemon_for_plan(ebbd.url(), a_job(), 5s, &error);
  INFO(error.message);
  REQUIRE(d);
  CHECK(ebb::fetch_forecast_from_daemon(ebbd.url(), "gb", 5s, &error));
  // Error answers are signed too, so their message reaches the user.
  ebb::PlanQuery mars = a_job();
  mars.region = "mars";
  CHECK_FALSE(ebb::ask_daemon_for_plan(ebbd.url(), mars, 5s, &error));
  CHECK(error.kind == ebb::ErrorKind::not_found);
  CHECK(has(error.message, "mars"));

  // A real answer, with its credential, captured for one nonce.
  const std::string nonce = ebb::auth::new_nonce();
  const std::string body = ebb::wire::encode_plan_query(a_job());
  ebb::http::RequestOptions options;
  options.headers.emplace_back(ebb::auth::kNonceHeader, nonce);
  auto captured = ebb::http::request(ebbd.address(), "POST", "/v1/plan", body, 5s, options);
  REQUIRE(captured.status == 200);
  const std::string credential = captured.headers.at("x-ebb-munge");

  const std::string folder = strangers_folder(dir);
  SECTION("replayed to another request") {
    write_text(folder + "/replay", credential + "\n" + captured.body);
    Stranger stranger(folder, "127.0.0.1:0", "replay:" + folder + "/replay");
    CHECK_FALSE(ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error));
    CHECK(has(error.message, "its MUNGE credential vouches for another request or answer"));
  }
  SECTION("with another body") {
    std::string altered = captured.body;
    const auto start = altered.find("\"start\":\"2026-");
    REQUIRE(start != std::string::npos);
    altered.replace(start, 14, "\"start\":\"2099-");
    write_text(folder + "/replay", credential + "\n" + altered);
    Stranger stranger(folder, "127.0.0.1:0", "replay:" + folder + "/replay");
    CHECK_FALSE(ebb::ask_daemon_for_plan(stranger.url(), a_job(), 2s, &error));
    CHECK(has(error.message, "its MUNGE credential vouches for another request or answer"));
  }
  SECTION("munged decodes a credential once") {
    const std::string binding =
        ebb::auth::answer_binding(nonce, "POST", "/v1/plan", body, 200, captured.body);
    CHECK_NOTHROW(ebb::auth::munge_verify(credential, binding, 0, "root"));
    CHECK_THROWS_WITH(ebb::auth::munge_verify(credential, binding, 0, "root"),
                      Catch::Contains("Replayed credential"));
  }
}
