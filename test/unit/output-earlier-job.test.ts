/**
 * A job's output path may hold an earlier job's file (a reused --output name, or the same job id
 * in an earlier life of the cluster) until slurmstepd opens it: neither the plain read nor follow
 * serves it as this job's, and a followed file that shrinks is announced and read again from 0.
 * Real files in a temporary directory; the job is the test's own user's, read by that user.
 */
import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../src/errors.js';
import type { Job } from '../../src/model.js';
import { EARLIER_JOB_SLACK_MS, openJobOutput, writtenSince } from '../../src/output/read.js';
import { followOutput, openForFollow, type FollowSink } from '../../src/output/follow.js';

const me = { user: userInfo().username };
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sr-earlier-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
const job = (path: string, fields: Partial<Job>): Job => ({
  job_id: 42, user: me.user, state: 'RUNNING', source: 'controller', stdout_path: path, stderr_path: null,
  submit_time: iso(Date.now() - 60_000), start_time: iso(Date.now() - 30_000), ...fields,
}) as Job;
/** A file last written `ago` ms ago. */
const fileWritten = (name: string, content: string, ago: number) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  const at = (Date.now() - ago) / 1000;
  utimesSync(path, at, at);
  return path;
};
const refusal = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof GatewayError ? [e.code, e.message] : e));

describe('an earlier job’s file at the job’s output path', () => {
  it('writtenSince: the start of a started job, the submission of a waiting one (its start_time is only a forecast), else nothing', () => {
    expect(writtenSince({ state: 'RUNNING', submit_time: '2026-12-01T10:00:00Z', start_time: '2026-12-01T10:05:00Z' })).toEqual({ ms: Date.parse('2026-12-01T10:05:00Z'), what: 'started' });
    expect(writtenSince({ state: 'PENDING', submit_time: '2026-12-01T10:00:00Z', start_time: '2027-12-01T10:00:00Z' })).toEqual({ ms: Date.parse('2026-12-01T10:00:00Z'), what: 'was submitted' });
    // Requeued and waiting again: its start_time is a forecast too.
    expect(writtenSince({ state: 'REQUEUE_HOLD', submit_time: '2026-12-01T10:00:00Z', start_time: '2027-12-01T10:00:00Z' })).toEqual({ ms: Date.parse('2026-12-01T10:00:00Z'), what: 'was submitted' });
    expect(writtenSince({ state: 'COMPLETED', submit_time: '2026-12-01T10:00:00Z', start_time: null })).toEqual({ ms: Date.parse('2026-12-01T10:00:00Z'), what: 'was submitted' });
    expect(writtenSince({ state: 'RUNNING', submit_time: null, start_time: null })).toBeNull();
  });

  it('the plain read: a file last written before the job started is 404 output_not_found; within the slack, or after, it is the job’s', async () => {
    const old = fileWritten('old.out', 'an earlier run\n', 3_600_000);
    const [code, message] = (await refusal(openJobOutput(job(old, {}), 'stdout', me))) as [string, string];
    expect(code).toBe('output_not_found');
    expect(message).toContain("holds an earlier job's output");
    // Pending: before its submission is an earlier job's.
    expect(await refusal(openJobOutput(job(old, { state: 'PENDING', start_time: iso(Date.now() + 86_400_000) }), 'stdout', me))).toEqual(['output_not_found', expect.any(String)]);

    const started = Date.now() - 30_000;
    const justBefore = fileWritten('skew.out', 'mine\n', 30_000 + EARLIER_JOB_SLACK_MS / 2);
    const opened = await openJobOutput(job(justBefore, { start_time: iso(started) }), 'stdout', me);
    await opened.handle.close();
    const fresh = fileWritten('fresh.out', 'mine\n', 1_000);
    const read = await openJobOutput(job(fresh, { start_time: iso(started) }), 'stdout', me);
    expect(read.stat.size).toBe(5);
    await read.handle.close();
  });

  /** Collects what follow sends; never full. */
  class Sink implements FollowSink {
    frames: string[] = [];
    closed = false;
    write(frame: string) { this.frames.push(frame); return true; }
    async drained() { return true; }
    events() { return this.frames.map((f) => ({ event: /event: (\S+)/.exec(f)![1], data: JSON.parse(/data: (.*)/.exec(f)![1]!) })); }
  }

  /**
   * Follows the job's stdout from `offset` until it ends; before each wait, `look(n)` (n from 1)
   * changes the file as slurmstepd and the job would, and answers true once the job has ended.
   */
  const follow = async (j: Job, offset: number, look: (n: number) => boolean | void) => {
    const sink = new Sink();
    let looks = 0;
    let over = false;
    const why = await followOutput(j, 'stdout', me, await openForFollow(j, 'stdout', me), offset, sink, {
      intervalMs: 1, stallMs: 1_000,
      ended: () => over,
      wait: async () => {
        looks += 1;
        if (look(looks)) over = true;
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    return { why, events: sink.events() };
  };

  it('follow waits while the file is an earlier job’s, then sends only what the job wrote', async () => {
    const path = fileWritten('follow.out', 'started\ndone\n', 3_600_000);
    const j = job(path, {});
    expect(await openForFollow(j, 'stdout', me)).toBeNull();
    // slurmstepd opens the file (truncating it) on the third look, the job writes, then ends.
    const { why, events } = await follow(j, 0, (n) => {
      if (n === 3) writeFileSync(path, 'started\n');
      if (n === 5) { appendFileSync(path, 'done\n'); return true; }
    });
    expect(why).toBe('eof');
    expect(events).toEqual([
      { event: 'output', data: { offset: 0, content: 'started\n' } },
      { event: 'output', data: { offset: 8, content: 'done\n' } },
      { event: 'eof', data: { offset: 13 } },
    ]);
  });

  it('a followed file that shrinks is announced as truncated and sent again from its beginning', async () => {
    const path = fileWritten('requeued.out', 'first run\n', 0);
    const { why, events } = await follow(job(path, {}), 0, (n) => {
      if (n === 2) { truncateSync(path, 0); appendFileSync(path, 'again\n'); }
      return n === 4;
    });
    expect(why).toBe('eof');
    expect(events).toEqual([
      { event: 'output', data: { offset: 0, content: 'first run\n' } },
      { event: 'truncated', data: { size: 6 } },
      { event: 'output', data: { offset: 0, content: 'again\n' } },
      { event: 'eof', data: { offset: 6 } },
    ]);
  });

  it('an offset past the end is waited at, not taken for a truncation (the file never was that large)', async () => {
    const path = fileWritten('short.out', 'abc\n', 0);
    const { why, events } = await follow(job(path, {}), 6, (n) => {
      if (n === 2) appendFileSync(path, 'defgh\n');
      return n === 3;
    });
    expect(why).toBe('eof');
    expect(events).toEqual([
      { event: 'output', data: { offset: 6, content: 'fgh\n' } },
      { event: 'eof', data: { offset: 10 } },
    ]);
  });
});
