#!/usr/bin/env bash
# `npm test`: build, type-check, point at a Slurm (the private cluster when none is configured)
# and run every suite: unit, parsers, executor and API contracts in every mode, integration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
eval "$(bash scripts/ensure-slurm.sh)"
npm run --silent build
npm run --silent typecheck
NODE_OPTIONS=--experimental-vm-modules exec npx jest "$@"
