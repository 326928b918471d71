/**
 * Issue #9, item 8: concurrent output reads must not multiply memory. Hostile testing read a file
 * of NUL bytes (each one six characters of JSON, "\u0000") 48 times with limit=8 MiB, 16 at a
 * time, and took the gateway from 136 MB to 1.96 GB. The answer is now streamed in small chunks;
 * this replays the load on the real cluster and reads the gateway's peak RSS (VmHWM) from /proc.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startGateway, type Gateway } from '../support/gateway.js';
import { FINISHED, uniqueName } from '../support/slurm.js';

const EIGHT_MIB = 8 * 1024 * 1024;
const kib = (field: string, pid: number) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

let gateway: Gateway;
const dir = mkdtempSync(join(tmpdir(), 'sr-output-memory-'));
afterAll(async () => { await gateway?.stop(); rmSync(dir, { recursive: true, force: true }); });

test('48 reads of 8 MiB of NUL bytes, 16 at a time: every answer whole, peak RSS bounded', async () => {
  gateway = await startGateway(['--executor=external', '--application=coroutine', '--parallel=4']);
  const submitted = await request(gateway.url).post('/v1/jobs').send({
    script: `#!/bin/sh\nhead -c ${EIGHT_MIB} /dev/zero\n`, name: uniqueName('nul'), stdout: join(dir, 'nul.out'), working_directory: dir,
  });
  expect(submitted.status).toBe(201);
  const id = submitted.body.job_id;
  for (const until = Date.now() + 60_000; ;) {
    const job = await request(gateway.url).get(`/v1/jobs/${id}`);
    if (FINISHED.includes(job.body.state)) break;
    if (Date.now() > until) throw new Error(`job ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 300));
  }

  const pid = gateway.process.pid!;
  const before = kib('VmRSS', pid);
  /** One read, counted as it streams (the test must not hold 16 x 50 MB itself); every 8th parsed whole. */
  const read = async (i: number) => {
    const res = await fetch(`${gateway.url}/v1/jobs/${id}/stdout?limit=${EIGHT_MIB}`);
    expect(res.status).toBe(200);
    if (i % 8 === 0) {
      const body = await res.json() as { content: string; length: number; eof: boolean; size: number };
      expect([body.length, body.eof, body.size, body.content.length, body.content === '\u0000'.repeat(EIGHT_MIB)]).toEqual([EIGHT_MIB, true, EIGHT_MIB, EIGHT_MIB, true]);
      return;
    }
    let bytes = 0;
    for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
    // The same answer as the parsed ones, byte for byte: the fields around `content`, and six
    // characters ("\u0000") for each NUL byte.
    const fields = JSON.stringify({ job_id: id, stream: 'stdout', path: join(dir, 'nul.out'), size: EIGHT_MIB, offset: 0, content: '', length: EIGHT_MIB, eof: true });
    expect(bytes).toBe(Buffer.byteLength(fields) + 6 * EIGHT_MIB);
  };
  for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 16 }, (_, i) => read(round * 16 + i)));
  const peak = kib('VmHWM', pid);
  console.log(`gateway RSS before the reads ${Math.round(before / 1024)} MiB, peak ${Math.round(peak / 1024)} MiB`);
  // Before the fix the peak was about 2 GB (16 answers of 50 MB, each built whole); streamed, a
  // read holds one 16 KiB chunk and its JSON escape (measured here: about 30 MiB above the start, all reads together).
  expect(peak - before).toBeLessThan(100 * 1024);
}, 180_000);
