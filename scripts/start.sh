#!/usr/bin/env bash
# `npm start -- [options]`: builds if needed, points at a Slurm (the private cluster when none is
# configured) and runs the gateway in the foreground.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
[[ -f dist/cli.js ]] || npm run --silent build
exec node bin/scheduler-rest.js "$@"
