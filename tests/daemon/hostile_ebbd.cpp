// SPDX-License-Identifier: GPL-2.0-or-later
// A stranger pretending to be ebbd, for the trust tests (test_trust.cpp and the
// cluster's tests/integration/test_trust.cpp): a real process that drops to another user
// (e.g. nobody), listens where ebbd would and answers every POST /v1/plan with "defer to
// now + N minutes", a plausible plan that only authentication can unmask.
//
//   hostile_ebbd LISTEN USER READY_FILE RECORD_FILE DEFER_MINUTES SIGN
//     LISTEN       unix:/path or 127.0.0.1:PORT (PORT 0: any; the port goes to READY_FILE)
//     USER         user to run as ("-": stay)
//     READY_FILE   written once listening: the port, or "unix"
//     RECORD_FILE  every request body it receives is appended here
//     SIGN         none: no credential; self: a MUNGE credential made by USER for the
//                  right nonce and answer; replay:FILE: answer with a captured answer of
//                  the real ebbd (FILE: the X-Ebb-Munge value on line 1, the body after)
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "daemon_auth.hpp"
#include "ebb/planner.hpp"
#include "protocol.hpp"
#include "server.hpp"
#include "unix_socket.hpp"

namespace {

void become(const std::string& user) {
  if (user == "-") return;
  passwd* pw = ::getpwnam(user.c_str());
  if (!pw) throw std::runtime_error("no user " + user);
  if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
    throw std::runtime_error("cannot become " + user);
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: hostile_ebbd LISTEN USER READY_FILE RECORD_FILE DEFER_MINUTES SIGN\n";
    return 2;
  }
  try {
    const std::string listen = argv[1], ready = argv[3], record = argv[4], sign = argv[6];
    const int defer_minutes = std::stoi(argv[5]);
    std::string replay_credential, replay_body;
    if (sign.rfind("replay:", 0) == 0) {
      std::ifstream in(sign.substr(7));
      std::getline(in, replay_credential);
      std::ostringstream rest;
      rest << in.rdbuf();
      replay_body = rest.str();
    }
    become(argv[2]);

    ebb::daemon::GuardedServer server{ebb::daemon::GuardedServer::Limits{}};
    server.Post("/v1/plan", [&](const httplib::Request& req, httplib::Response& res) {
      std::ofstream(record, std::ios::app) << req.body << "\n";
      if (!replay_body.empty()) {
        res.set_header(ebb::auth::kCredentialHeader, replay_credential);
        res.set_content(replay_body, "application/json");
        return;
      }
      ebb::Decision d;
      d.defer = true;
      const auto now = std::chrono::time_point_cast<std::chrono::minutes>(ebb::now_utc());
      d.start = now + std::chrono::minutes(defer_minutes);
      d.latest_start = d.start;
      d.objective = ebb::Objective::carbon;
      d.reason = "a stranger's plan";
      const std::string body = ebb::wire::decision_to_json(d).dump();
      const std::string nonce = req.get_header_value(ebb::auth::kNonceHeader);
      if (sign == "self" && !nonce.empty()) {
        res.set_header(ebb::auth::kCredentialHeader,
                       ebb::auth::munge_sign(ebb::auth::answer_binding(
                           nonce, req.method, req.target, req.body, 200, body)));
      }
      res.set_content(body, "application/json");
    });
    if (listen.rfind("unix:", 0) == 0) {
      server.adopt_listening_socket(ebb::daemon::listen_on_unix_socket(listen.substr(5), 16));
      write_file(ready, "unix\n");
    } else {
      const auto colon = listen.rfind(':');
      const std::string host = listen.substr(0, colon);
      int port = std::stoi(listen.substr(colon + 1));
      if (port == 0) {
        port = server.bind_to_any_port(host);
      } else if (!server.bind_to_port(host, port)) {
        port = -1;
      }
      if (port <= 0) throw std::runtime_error("cannot listen on " + listen);
      write_file(ready, std::to_string(port) + "\n");
    }
    return server.listen_after_bind() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "hostile_ebbd: " << e.what() << "\n";
    return 1;
  }
}
