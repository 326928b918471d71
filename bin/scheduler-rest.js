#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): Node reads an ES module entry through libuv's thread
// pool, which fixes the pool's size before the entry's first line runs; a CommonJS entry is read
// synchronously, so the size set here still applies. With the internal executor in coroutine
// mode every libslurm call runs on that pool, at most UV_THREADPOOL_SIZE - 1 at once, and the
// default of 4 would hold --parallel=16 to 3 calls (docs/DESIGN.md, "The internal executor").
// 64 threads: enough for any --parallel up to 63; they cost a stack each, and only when used.
'use strict';
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '64';
import('../dist/cli.js');
