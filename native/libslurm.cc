#include "libslurm.h"

#include <dlfcn.h>

#include <cstdio>
#include <mutex>

namespace sr {
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
  // Reads SLURM_CONF (or the compiled-in default). Not thread-safe and not repeatable: once.
  slurm_init(nullptr);
}

}  // namespace

const std::string &EnsureLoaded() {
  std::call_once(once, Load);
  return load_error;
}

const Helpers &helpers() { return loaded; }

// slurm_api_version() is the ABI version (38.0.0), not the release. The headers we were compiled
// against come from the same libslurm-dev package as the library we link.
std::string LibraryVersion() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d.%02d.%d", SLURM_VERSION_MAJOR(SLURM_VERSION_NUMBER),
                SLURM_VERSION_MINOR(SLURM_VERSION_NUMBER), SLURM_VERSION_MICRO(SLURM_VERSION_NUMBER));
  return buf;
}

}  // namespace sr
