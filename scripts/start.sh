#!/usr/bin/env bash
# `npm start -- [options]`: builds if needed, points at a Slurm (the private cluster when none is
# configured) and runs the gateway in the foreground.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
# libslurm-dev may have arrived with the private cluster, after `npm ci` skipped the binding.
[[ -f build/Release/slurm_binding.node ]] || node scripts/build-native.mjs
[[ -f dist/cli.js ]] || npm run --silent build
exec node bin/scheduler-rest.js "$@"
