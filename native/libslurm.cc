#include "libslurm.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace sr {

const char *const kPlaceholderToken = "scheduler-rest:no-caller-token";

namespace {

std::once_flag once;
std::string load_error;
Helpers loaded;

void Load() {
  // The addon links libslurm, so the dynamic loader has already mapped it, but with the addon's
  // local visibility. Slurm's plugins (auth/munge, hash/k12, select/...) are dlopen'ed later by
  // libslurm itself and expect libslurm's symbols in the global scope: without this promotion
  // they fail to resolve symbols and libslurm calls fatal(), which exits the whole process.
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void *>(&slurm_init), &info) || !info.dli_fname) {
    load_error = "cannot find the path of the loaded libslurm";
    return;
  }
  void *handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  if (!handle) handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char *why = dlerror();
    load_error = std::string("dlopen(") + info.dli_fname + ", RTLD_NOW|RTLD_GLOBAL) failed: " + (why ? why : "?");
    return;
  }
  loaded.job_reason_string = reinterpret_cast<char *(*)(int)>(dlsym(handle, "slurm_job_reason_string"));
  loaded.bit_test = reinterpret_cast<int (*)(bitstr_t *, bitoff_t)>(dlsym(handle, "slurm_bit_test"));
  loaded.bit_size = reinterpret_cast<bitoff_t (*)(bitstr_t *)>(dlsym(handle, "slurm_bit_size"));
  loaded.conf = reinterpret_cast<slurm_conf_t *>(dlsym(handle, "slurm_conf"));
  loaded.auth_init = reinterpret_cast<int (*)(char *)>(dlsym(handle, "slurm_auth_init"));
}

std::mutex init_mutex;
bool init_attempted = false;
AuthMode init_mode = AuthMode::None;
std::string init_error;
std::atomic<int> ready_mode{-1};
JwtPlugin jwt_plugin;

// The auth/jwt plugin libslurm loaded: the first <PluginDir entry>/auth_jwt.so that is already
// mapped (plugin_load_and_link() searches PluginDir's ':'-separated entries in order). RTLD_NOLOAD
// returns the very handle libslurm got, so the symbols (and the __thread token) are the ones its
// auth_p_pack() reads; libslurm.so.38 exports no auth_g_thread_config() of its own.
std::string FindJwtPlugin() {
  const char *dirs = helpers().conf ? helpers().conf->plugindir : nullptr;
  if (!dirs || !*dirs) return "slurm.conf gives no PluginDir";
  std::string list(dirs), tried;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    std::string path = list.substr(start, end - start) + "/auth_jwt.so";
    start = end + 1;
    struct stat st{};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      tried += (tried.empty() ? "" : ", ") + path + " (missing)";
      continue;
    }
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (!handle) handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) {
      tried += (tried.empty() ? "" : ", ") + path + " (not loaded by libslurm)";
      continue;
    }
    auto type = static_cast<const char *>(dlsym(handle, "plugin_type"));
    auto config = reinterpret_cast<int (*)(const char *, const char *)>(dlsym(handle, "auth_p_thread_config"));
    auto clear = reinterpret_cast<void (*)(void)>(dlsym(handle, "auth_p_thread_clear"));
    if (!type || std::strcmp(type, "auth/jwt") != 0 || !config || !clear) {
      return path + " lacks auth_p_thread_config/auth_p_thread_clear (is it Slurm's auth/jwt plugin, 20.02 or newer?)";
    }
    jwt_plugin.thread_config = config;
    jwt_plugin.thread_clear = clear;
    jwt_plugin.handle = handle;  // one more reference: the plugin can never be unloaded under us
    jwt_plugin.path = path;
    return "";
  }
  return "the auth/jwt plugin is not loaded (tried " + tried + "); Debian: install slurm-wlm-jwt-plugin";
}

std::string InitialiseLocked(AuthMode mode) {
  // libslurm's auth initialisation (slurm_auth_init(), auth_g_init() from 23.11) makes auth/jwt
  // the primary plugin whenever SLURM_JWT is set, whatever slurm.conf says, and reads it once, on
  // its first call. Decide it here, before that call.
  if (mode == AuthMode::None) {
    unsetenv("SLURM_JWT");
  } else if (setenv("SLURM_JWT", kPlaceholderToken, 1) != 0) {
    return "cannot set SLURM_JWT in the environment";
  }
  // Reads SLURM_CONF (or the compiled-in default). Not thread-safe and not repeatable: once.
  // From 23.02 on it also loads the auth plugin (and fatal()s when it cannot).
  slurm_init(nullptr);
  // 22.05 loads it lazily, on the first RPC: load it now, so that the choice is made here and a
  // missing plugin fails the start-up rather than the first request.
  if (helpers().auth_init && helpers().auth_init(nullptr) != SLURM_SUCCESS) {
    std::string type = helpers().conf && helpers().conf->authtype ? helpers().conf->authtype : "?";
    return "libslurm cannot load its auth plugin " + type +
           (mode == AuthMode::Jwt ? " (Debian: install slurm-wlm-jwt-plugin)" : "");
  }
  if (mode == AuthMode::None) return "";
  const char *type = helpers().conf ? helpers().conf->authtype : nullptr;
  if (!type || std::strcmp(type, "auth/jwt") != 0) {
    return std::string("libslurm did not select auth/jwt (AuthType is ") + (type ? type : "unset") + ")";
  }
  return FindJwtPlugin();
}

}  // namespace

const std::string &EnsureLoaded() {
  std::call_once(once, Load);
  return load_error;
}

const Helpers &helpers() { return loaded; }

const char *AuthModeName(AuthMode mode) { return mode == AuthMode::Jwt ? "jwt" : "none"; }

std::string Initialise(AuthMode mode) {
  const std::string &load = EnsureLoaded();
  if (!load.empty()) return load;
  std::lock_guard<std::mutex> lock(init_mutex);
  if (init_attempted) {
    if (!init_error.empty()) return "libslurm's initialisation failed earlier in this process: " + init_error;
    if (init_mode != mode) {
      return std::string("libslurm is already initialised in this process with --auth=") + AuthModeName(init_mode) +
             "; one process can use only one auth mode (libslurm chooses its auth plugin once per process)";
    }
    return "";
  }
  init_attempted = true;
  init_mode = mode;
  init_error = InitialiseLocked(mode);
  if (init_error.empty()) ready_mode.store(int(mode));
  return init_error;
}

int InitialisedMode() { return ready_mode.load(); }

const JwtPlugin &jwt() { return jwt_plugin; }

TokenScope::TokenScope(const std::string &token) {
  if (ready_mode.load() != int(AuthMode::Jwt)) return;
  active_ = true;
  if (token.empty()) {
    jwt_plugin.thread_clear();  // fail closed: the placeholder goes out, and is refused
  } else {
    jwt_plugin.thread_config(token.c_str(), nullptr);  // username NULL: the token's own `sun`
  }
}

TokenScope::~TokenScope() {
  if (active_) jwt_plugin.thread_clear();
}

bool ThreadTokenSet() {
  if (!jwt_plugin.handle) return false;
  auto slot = static_cast<char **>(dlsym(jwt_plugin.handle, "thread_token"));  // this thread's copy
  return slot && *slot;
}

// slurm_api_version() is the ABI version (38.0.0), not the release. The headers we were compiled
// against come from the same libslurm-dev package as the library we link.
std::string LibraryVersion() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d.%02d.%d", SLURM_VERSION_MAJOR(SLURM_VERSION_NUMBER),
                SLURM_VERSION_MINOR(SLURM_VERSION_NUMBER), SLURM_VERSION_MICRO(SLURM_VERSION_NUMBER));
  return buf;
}

}  // namespace sr
