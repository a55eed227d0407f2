// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon_auth.hpp"

#include <munge.h>
#include <openssl/evp.h>
#include <pwd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "ebb/posix.hpp"

namespace ebb::auth {
namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  }
  return hex(digest, size);
}

}  // namespace

std::string new_nonce() { return random_hex(16); }

bool valid_nonce(std::string_view nonce) {
  if (nonce.size() < 16 || nonce.size() > 128) return false;
  for (char c : nonce) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

std::string answer_binding(std::string_view nonce, std::string_view method, std::string_view target,
                           std::string_view request_body, int status,
                           std::string_view answer_body) {
  std::string request(method);
  request += ' ';
  request += target;
  request += '\n';
  request += request_body;
  return "ebb-answer-v1 nonce=" + std::string(nonce) + " request=" + sha256_hex(request) +
         " status=" + std::to_string(status) + " answer=" + sha256_hex(answer_body);
}

std::string munge_sign(const std::string& payload) {
  char* credential = nullptr;
  munge_err_t e =
      munge_encode(&credential, nullptr, payload.data(), static_cast<int>(payload.size()));
  std::unique_ptr<char, decltype(&std::free)> owned(credential, &std::free);
  if (e != EMUNGE_SUCCESS || credential == nullptr) {
    throw std::runtime_error(std::string("cannot sign the answer with MUNGE: ") +
                             munge_strerror(e) + " (is munged running?)");
  }
  return credential;
}

void munge_verify(const std::string& credential, const std::string& expected_payload,
                  uid_t daemon_uid, const std::string& daemon_user) {
  void* payload = nullptr;
  int length = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  munge_err_t e = munge_decode(credential.c_str(), nullptr, &payload, &length, &uid, &gid);
  // munge_decode allocates the payload even for some failures (a replayed credential).
  std::unique_ptr<void, decltype(&std::free)> owned(payload, &std::free);
  if (e != EMUNGE_SUCCESS) {
    throw std::runtime_error(std::string("its MUNGE credential is refused: ") + munge_strerror(e));
  }
  if (uid != daemon_uid && uid != 0) {
    throw std::runtime_error("its MUNGE credential is from " + describe_uid(uid) +
                             ", not from DaemonUser " + daemon_user + " or root");
  }
  if (payload == nullptr || length < 0 ||
      std::string_view(static_cast<const char*>(payload), static_cast<std::size_t>(length)) !=
          expected_payload) {
    throw std::runtime_error(
        "its MUNGE credential vouches for another request or answer (replayed or forged)");
  }
}

std::optional<uid_t> uid_of_user(const std::string& user) {
  uid_t number = 0;
  auto [end, ec] = std::from_chars(user.data(), user.data() + user.size(), number);
  if (ec == std::errc() && end == user.data() + user.size()) return number;
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return found->pw_uid;
}

std::optional<std::string> user_name_of(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return std::string(found->pw_name);
}

std::string describe_uid(uid_t uid) {
  std::string text = "uid " + std::to_string(uid);
  if (auto name = user_name_of(uid)) text += " (" + *name + ")";
  return text;
}

}  // namespace ebb::auth
