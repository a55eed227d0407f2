// SPDX-License-Identifier: GPL-2.0-or-later
// Proof that an answer comes from the real ebbd (README, "Security").
//
// The client sends a fresh random nonce in X-Ebb-Nonce. ebbd answers with X-Ebb-Munge: a
// MUNGE credential whose payload is answer_binding(nonce, request, answer). munged writes
// the encoding process's uid into the credential, and only a process on a host holding
// the cluster's MUNGE key can make one, so a stranger listening on DaemonUrl cannot sign
// its answer as ebbd's user; munged also refuses to decode a credential twice and after
// its time-to-live, and the nonce ties it to one request, so an answer cannot be replayed.
//
// The payload carries SHA-256 digests rather than the bodies: a week's forecast is about
// 250 KB and MUNGE carries its payload, encrypted and base64-encoded, inside the
// credential, so the header would outweigh the answer; with digests it stays ~250 bytes.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace ebb::auth {

inline constexpr const char* kNonceHeader = "X-Ebb-Nonce";
inline constexpr const char* kCredentialHeader = "X-Ebb-Munge";

// 32 hex digits from the kernel's random source. Throws std::runtime_error.
std::string new_nonce();
// What ebbd accepts as a nonce: 16 to 128 hex digits.
bool valid_nonce(std::string_view nonce);

// The text the credential vouches for: the nonce, the request (method, path with query,
// body) and the answer (status, body).
std::string answer_binding(std::string_view nonce, std::string_view method, std::string_view target,
                           std::string_view request_body, int status, std::string_view answer_body);

// A MUNGE credential for `payload`, from the local munged. Throws std::runtime_error
// when munged cannot be reached.
std::string munge_sign(const std::string& payload);

// Decodes `credential` with the local munged and checks that it was made by `daemon_uid`
// or root and vouches for `expected_payload`. Throws std::runtime_error saying which
// check failed; `daemon_user` names the configured user in that message.
void munge_verify(const std::string& credential, const std::string& expected_payload,
                  uid_t daemon_uid, const std::string& daemon_user);

// The uid of a user name or a decimal uid; nothing when there is no such user.
std::optional<uid_t> uid_of_user(const std::string& user);
// The user name of a uid; nothing when the user database has none.
std::optional<std::string> user_name_of(uid_t uid);
// "uid 65534 (nobody)".
std::string describe_uid(uid_t uid);

}  // namespace ebb::auth
