# The libslurm binding (native/). Built by scripts/build-native.mjs only where slurm.h exists
# (Debian: libslurm-dev); compiled against the installed headers so struct layouts always match
# the installed libslurm.
{
  "targets": [
    {
      "target_name": "slurm_binding",
      "sources": [
        "native/binding.cc",
        "native/libslurm.cc",
        "native/names.cc",
        "native/ops.cc",
        "native/ops_accounting.cc",
        "native/ops_assoc.cc",
        "native/ops_jobs.cc",
        "native/ops_nodes.cc",
        "native/ops_resv.cc",
        "native/ops_stats.cc",
        "native/ops_submit.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: a JS error that cannot be thrown because the
      # calling worker thread is being terminated is dropped instead of escaping the N-API callback
      # as a C++ exception (std::terminate: the whole process aborts). See native/binding.cc Call.
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "include_dirs": ["/usr/include"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-lslurm", "-ldl"]
    }
  ]
}
