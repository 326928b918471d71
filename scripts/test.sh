#!/usr/bin/env bash
# `npm test`: build, type-check, point at a Slurm (the private cluster when none is configured)
# and run every suite: unit, parsers, executor and API contracts in every mode, integration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
# libslurm-dev may have arrived with the private cluster, after `npm ci` skipped the binding.
[[ -f build/Release/slurm_binding.node ]] || node scripts/build-native.mjs
npm run --silent build
npm run --silent typecheck
npm run --silent lint:layers   # the layer rules and no import cycles (.dependency-cruiser.cjs)
NODE_OPTIONS=--experimental-vm-modules exec npx jest --runInBand "$@"
