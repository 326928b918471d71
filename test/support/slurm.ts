/** Small helpers for tests that talk to the real cluster. */
import { randomBytes } from 'node:crypto';
import request from './openapi.js';

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Polls GET /v1/jobs/{id} until `done(job)` or the time is up; returns the last job seen. */
export async function waitForJob(url: string, id: number | string, done: (job: any) => boolean, seconds = 30): Promise<any> {
  const until = Date.now() + seconds * 1000;
  let job: any;
  while (Date.now() < until) {
    const res = await request(url).get(`/v1/jobs/${id}`);
    if (res.status === 200) {
      job = res.body;
      if (done(job)) return job;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`job ${id} did not reach the expected state in ${seconds} s; last seen: ${JSON.stringify(job)}`);
}

export const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];

/** A job body that prints "started", waits for `<dir>/go-<name>` (the test creates it), prints "done". */
export function waitingJob(dir: string, name: string) {
  // It gives up when the suite's directory is gone, so a suite that failed before its go file does not leave it on the only node.
  return { name, working_directory: dir, script: `#!/bin/bash\necho started\nwhile [ ! -e ${dir}/go-${name} ]; do [ -d ${dir} ] || exit 3; sleep 0.2; done\necho done\n` };
}
