/**
 * What a submission did, from real sbatch output (test/fixtures/slurm-22.05, Slurm 22.05.8), and
 * the pure parts of Idempotency-Key: tokens in comments, the lookup, hashing, per-key serialising,
 * and the dispatch layer's answers for a submission whose outcome is unknown.
 */
import { readFileSync } from 'node:fs';
import { submitOutcome, parseKeyedJobs } from '../../src/executors/external/parse/submit.js';
import type { RunResult } from '../../src/executors/external/runner.js';
import { callerComment, replayOf, tagOf, taggedComment } from '../../src/slurm/idempotency.js';
import { idempotencyTag, KeyedSerial } from '../../src/handlers/idempotency.js';
import { poolFailure } from '../../src/dispatch/pool.js';
import { Dispatcher, withDeadline } from '../../src/dispatch/dispatcher.js';
import type { DispatchStrategy } from '../../src/dispatch/strategy.js';
import { GatewayError } from '../../src/errors.js';
import { idempotencyKey, submitBody, updateBody } from '../../src/http/schemas.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm-22.05/${name}`, import.meta.url), 'utf8');
const sbatch = (exitCode: number, stdout: string, stderr: string): RunResult => ({ invocation: { tool: 'sbatch', args: [] }, exitCode, stdout, stderr });
const codeOf = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return (e as GatewayError).code; } };

// sbatch's own words (src/sbatch/sbatch.c; `strings $(command -v sbatch)` on 22.05.8 lists them).
const RETRYING = 'sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying\n';

describe('submitOutcome: the job id on stdout wins', () => {
  it('answers the id when sbatch retried and then succeeded (an "error:" line on stderr, exit 0)', () => {
    expect(submitOutcome(sbatch(0, '4242\n', RETRYING))).toBe(4242);
    expect(submitOutcome(sbatch(0, '4242;schedrest\n', RETRYING))).toBe(4242);
  });

  it('answers the id whatever else stderr says', () => {
    expect(submitOutcome(sbatch(0, '7\n', 'sbatch: error: something odd\nsbatch: Job creation temporarily disabled, retrying\n'))).toBe(7);
  });

  it('keeps a refusal that provably created nothing: EAGAIN after the retries, connect failure, bad partition', () => {
    const refused = RETRYING + 'sbatch: error: Batch job submission failed: Resource temporarily unavailable\n';
    expect(codeOf(() => submitOutcome(sbatch(1, '', refused)))).toBe('scheduler_unavailable');
    expect(codeOf(() => submitOutcome(sbatch(1, '', fixture('sbatch-connect-failure.stderr'))))).toBe('scheduler_unavailable');
    expect(codeOf(() => submitOutcome(sbatch(1, '', fixture('sbatch-invalid-partition.stderr'))))).toBe('scheduler_rejected');
  });

  it('says the outcome is unknown when the reply was lost (real: a controller that never answers)', () => {
    let error: GatewayError | undefined;
    try { submitOutcome(sbatch(1, '', fixture('sbatch-reply-timeout.stderr'))); } catch (e) { error = e as GatewayError; }
    expect(error?.code).toBe('submit_outcome_unknown');
    expect(error?.status).toBe(502);
    expect(error?.retryAfter).toBeUndefined();
    expect(error?.message).toMatch(/Socket timed out.*Idempotency-Key/);
    expect(error?.details?.how_to_find_out).toMatch(/GET \/v1\/jobs/);
  });

  it('says the outcome is unknown when sbatch exits 0 without a job id', () => {
    expect(codeOf(() => submitOutcome(sbatch(0, '', '')))).toBe('submit_outcome_unknown');
  });
});

describe('parseKeyedJobs (real squeue --Format=ArrayJobID,Comment output)', () => {
  it('reads submitted ids and comments, "(null)" as none, array tasks under the array id', () => {
    expect(parseKeyedJobs(fixture('squeue-keyed.txt'))).toEqual([
      { submitted_id: 2, comment: 'sr-idem:v1:5f9d7474db77b60cd8163a602b7267e9:4a4633e8b2fdbe654edb635741cda11c' },
      { submitted_id: 1, comment: 'hello world' },
      { submitted_id: 4, comment: 'sr-idem:v1:0123456789abcdef0123456789abcdef:4a4633e8b2fdbe654edb635741cda11c' },
      { submitted_id: 4, comment: 'sr-idem:v1:0123456789abcdef0123456789abcdef:4a4633e8b2fdbe654edb635741cda11c' },
      { submitted_id: 5, comment: null },
      { submitted_id: 3, comment: 'sr-idem:v1:5f9d7474db77b60cd8163a602b7267e9:4a4633e8b2fdbe654edb635741cda11c my own words' },
    ]);
    expect(parseKeyedJobs('')).toEqual([]);
    expect(() => parseKeyedJobs('garbage')).toThrow();
  });
});

describe('the key in the comment', () => {
  const tag = { key: '5f9d7474db77b60cd8163a602b7267e9', body: '4a4633e8b2fdbe654edb635741cda11c' };

  it('round-trips, keeps the caller\'s comment after it, and hides itself from callerComment', () => {
    expect(taggedComment(tag, undefined)).toBe(`sr-idem:v1:${tag.key}:${tag.body}`);
    expect(tagOf(taggedComment(tag, 'mine'))).toEqual(tag);
    expect(callerComment(taggedComment(tag, 'mine too'))).toBe('mine too');
    expect(callerComment(taggedComment(tag, ''))).toBeNull();
    expect(callerComment('plain')).toBe('plain');
    expect(tagOf('sr-idem:v1:nothex')).toBeUndefined();
    expect(() => taggedComment({ key: 'x', body: tag.body }, undefined)).toThrow(TypeError);
  });

  it('finds the first job with the key, and refuses another body (409)', () => {
    const jobs = parseKeyedJobs(fixture('squeue-keyed.txt'));
    expect(replayOf(jobs, tag)).toEqual({ job_id: 2, replayed: true });
    expect(replayOf(jobs, { key: '0123456789abcdef0123456789abcdef', body: tag.body })).toEqual({ job_id: 4, replayed: true });
    expect(replayOf(jobs, { key: 'f'.repeat(32), body: tag.body })).toBeUndefined();
    let error: GatewayError | undefined;
    try { replayOf(jobs, { key: tag.key, body: 'e'.repeat(32) }); } catch (e) { error = e as GatewayError; }
    expect(error?.code).toBe('idempotency_conflict');
    expect(error?.status).toBe(409);
  });

  it('hashes the key with its user and the body without regard to field order; the raw key never appears', () => {
    const body = { script: '#!/bin/sh\n', name: 'x', environment: { B: '2', A: '1' } };
    const alice = idempotencyTag('alice', 'k-1', body);
    expect(idempotencyTag('bob', 'k-1', body).key).not.toBe(alice.key);
    expect(idempotencyTag('alice', 'k-2', body).key).not.toBe(alice.key);
    expect(idempotencyTag('alice', 'k-1', { environment: { A: '1', B: '2' }, name: 'x', script: '#!/bin/sh\n' })).toEqual(alice);
    expect(idempotencyTag('alice', 'k-1', { ...body, name: 'y' }).body).not.toBe(alice.body);
    expect(taggedComment(alice, undefined)).not.toContain('k-1');
  });
});

describe('validation', () => {
  it('takes 1-255 visible ASCII characters as a key', () => {
    expect(idempotencyKey.safeParse('0b6f3d1e-5b1a-4c57-9a8e-2f1d6a1f4b2c').success).toBe(true);
    for (const bad of ['', 'a b', 'a, b', 'é', 'x'.repeat(256), 'tab\there']) expect(idempotencyKey.safeParse(bad).success).toBe(false);
  });

  it('refuses a comment that starts with the reserved prefix, on submit and on update', () => {
    expect(submitBody.safeParse({ script: '#!/bin/sh\n', comment: 'sr-idem:v1:x' }).success).toBe(false);
    expect(updateBody.safeParse({ comment: 'sr-idem:' }).success).toBe(false);
    expect(submitBody.safeParse({ script: '#!/bin/sh\n', comment: 'about sr-idem:' }).success).toBe(true);
  });
});

describe('KeyedSerial', () => {
  it('runs work one at a time per key, keys independently, and forgets idle keys', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => { log.push(`start ${name}`); await new Promise((r) => setTimeout(r, ms)); log.push(`end ${name}`); return name; };
    const failing = () => Promise.reject(new Error('boom'));
    const results = await Promise.allSettled([serial.run('a', step('a1', 30)), serial.run('a', failing), serial.run('a', step('a2', 5)), serial.run('b', step('b1', 5))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    await new Promise((r) => setTimeout(r, 5));
    expect(serial.size).toBe(0);
  });
});

describe('dispatch: a submission whose worker or deadline is lost', () => {
  it('poolFailure: submit_outcome_unknown for jobs.submit, the usual 503/504 otherwise', () => {
    const live = new AbortController().signal;
    const aborted = AbortSignal.abort();
    expect(poolFailure(new Error('exit'), live, 'child process', 'jobs.submit').code).toBe('submit_outcome_unknown');
    expect(poolFailure(new Error('abort'), aborted, 'child process', 'jobs.submit').code).toBe('submit_outcome_unknown');
    expect(poolFailure(new Error('exit'), live, 'child process', 'jobs.list')).toMatchObject({ code: 'worker_crashed', retryAfter: 1 });
    expect(poolFailure(new Error('abort'), aborted, 'child process', 'jobs.cancel').code).toBe('deadline_exceeded');
  });

  it('withDeadline: the late answer when one is given', async () => {
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, Date.now() + 10)).rejects.toMatchObject({ code: 'deadline_exceeded' });
    await expect(withDeadline(never, Date.now() + 10, () => new GatewayError('submit_outcome_unknown'))).rejects.toMatchObject({ code: 'submit_outcome_unknown' });
  });

  it('Dispatcher: a running submission at the deadline is submit_outcome_unknown; a waiting one or a read is deadline_exceeded', async () => {
    const hung: DispatchStrategy = { concurrency: 1, run: () => new Promise<never>(() => {}), dispose: async () => {} } as DispatchStrategy;
    const dispatcher = new Dispatcher(hung, { queueLimit: 10 });
    const ctx = (ms: number) => ({ requestId: 'r', deadline: Date.now() + ms, signal: new AbortController().signal });
    const submit = { kind: 'jobs.submit' as const, submission: { script: '#!/bin/sh\n' } };
    const running = dispatcher.dispatch(submit, ctx(50));
    const waiting = dispatcher.dispatch(submit, ctx(50));
    await expect(running).rejects.toMatchObject({ code: 'submit_outcome_unknown' });
    await expect(waiting).rejects.toMatchObject({ code: 'deadline_exceeded' });
    const read = new Dispatcher(hung, { queueLimit: 10 }).dispatch({ kind: 'jobs.list', filter: {} }, ctx(50));
    await expect(read).rejects.toMatchObject({ code: 'deadline_exceeded' });
  });
});
