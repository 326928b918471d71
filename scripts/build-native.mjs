#!/usr/bin/env node
// Builds the libslurm binding (binding.gyp -> build/Release/slurm_binding.node) when Slurm's
// headers are installed, and otherwise explains and exits 0, so `npm install` still succeeds on
// machines without libslurm-dev (the external executor needs no binding).
//   node scripts/build-native.mjs            (npm install: optional)
//   node scripts/build-native.mjs --require  (npm run build:native: fail when it cannot build)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.argv.includes('--require');
const header = process.env.SLURM_INCLUDE_DIR ? join(process.env.SLURM_INCLUDE_DIR, 'slurm/slurm.h') : '/usr/include/slurm/slurm.h';

function skip(reason) {
  const message = `scheduler-rest: not building the libslurm binding: ${reason}.\n` +
    '  --executor=internal will be unavailable; --executor=external works without it.\n' +
    '  To build it: apt-get install libslurm-dev, then npm run build:native';
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (!existsSync(header)) skip(`${header} not found (Debian package libslurm-dev)`);

let nodeGyp;
try {
  nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  skip('node-gyp is not installed (npm install --include=dev)');
}

// Offline machines: build against the headers of the running Node (its install prefix) rather
// than letting node-gyp download them.
const args = [nodeGyp, 'rebuild', '--release'];
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include/node/node_version.h'))) args.push(`--nodedir=${prefix}`);

const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  if (required) process.exit(result.status ?? 1);
  console.warn('scheduler-rest: building the libslurm binding failed (see above); --executor=internal will be unavailable.');
  process.exit(0);
}
