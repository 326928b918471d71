// Optional process-wide serialisation of libslurm calls. Off by default: libslurm 22.05's RPC
// calls are safe from several threads at once (docs/internal-executor.md); the switch exists so
// a site can rule the binding out when chasing a problem.
#pragma once

#include <atomic>
#include <mutex>

namespace sr {

std::atomic<bool> &SerialEnabled();
std::mutex &SerialMutex();

class SerialGuard {
 public:
  SerialGuard() : locked_(SerialEnabled().load()) {
    if (locked_) SerialMutex().lock();
  }
  ~SerialGuard() {
    if (locked_) SerialMutex().unlock();
  }
  SerialGuard(const SerialGuard &) = delete;
  SerialGuard &operator=(const SerialGuard &) = delete;

 private:
  bool locked_;
};

}  // namespace sr
