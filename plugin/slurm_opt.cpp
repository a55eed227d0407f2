// SPDX-License-Identifier: GPL-2.0-or-later
#include "slurm_opt.hpp"

#include <dlfcn.h>

#include <cstdint>

// Internal Slurm functions, declared here because no public header does. Weak, so
// that the plugin still loads (and fails open) in a Slurm that lacks one of them.
extern "C" {
struct slurm_opt;
__attribute__((weak)) char* slurm_option_get(slurm_opt* opt, const char* name);
__attribute__((weak)) int slurm_option_set(slurm_opt* opt, const char* name, const char* value,
                                           bool early);
__attribute__((weak)) bool slurm_option_isset(slurm_opt* opt, const char* name);
__attribute__((weak)) void slurm_xfree(void** item);
__attribute__((weak)) std::time_t slurm_parse_time(const char* time_str, int past);
__attribute__((weak)) int slurm_time_str2secs(const char* string);
}

namespace ebb::plugin {

namespace {

slurm_opt* as_opt(void* p) { return static_cast<slurm_opt*>(p); }

constexpr int kSlurmSuccess = 0;
// time_str2secs returns NO_VAL (0xfffffffe) on error and INFINITE (0xffffffff) for
// "infinite"/"unlimited"; as an int these are -2 and -1.
constexpr int kNoVal = static_cast<int>(0xfffffffeU);
constexpr int kInfinite = static_cast<int>(0xffffffffU);

}  // namespace

std::optional<CommandOptions> CommandOptions::find() {
  if (!slurm_option_get || !slurm_option_set || !slurm_option_isset || !slurm_xfree) {
    return std::nullopt;
  }
  void* opt = dlsym(RTLD_DEFAULT, "opt");
  if (!opt) return std::nullopt;
  return CommandOptions(opt);
}

std::optional<std::string> CommandOptions::get(const char* name) const {
  char* value = slurm_option_get(as_opt(opt_), name);
  if (!value) return std::nullopt;
  std::string copy(value);
  slurm_xfree(reinterpret_cast<void**>(&value));  // xmalloc'd: free() would crash
  return copy;
}

bool CommandOptions::is_set(const char* name) const {
  return slurm_option_isset(as_opt(opt_), name);
}

bool CommandOptions::set(const char* name, const std::string& value) const {
  return slurm_option_set(as_opt(opt_), name, value.c_str(), false) == kSlurmSuccess;
}

bool slurm_parsers_available() { return slurm_parse_time && slurm_time_str2secs; }

std::optional<std::time_t> parse_slurm_time(const std::string& text) {
  if (!slurm_parse_time || text.empty()) return std::nullopt;
  std::time_t t = slurm_parse_time(text.c_str(), 0);
  if (t == 0) return std::nullopt;  // parse_time's "invalid"
  return t;
}

std::optional<long> parse_slurm_seconds(const std::string& text) {
  if (!slurm_time_str2secs || text.empty()) return std::nullopt;
  int secs = slurm_time_str2secs(text.c_str());
  if (secs == kNoVal || secs == kInfinite || secs < 0) return std::nullopt;
  return secs;
}

}  // namespace ebb::plugin
