/**
 * The invariant checker of issue #9. Every request a fault case sends goes through a Ledger, which
 * records its answer (status, code, job id, time against the deadline). `check()` then compares
 * what clients were told with Slurm's own truth, read as root: squeue (the controller) and sacct
 * (accounting), for the job names of this ledger only.
 *
 * - every job id answered 201 exists exactly once (else Slurm lost it: reported, not a failure);
 * - no job with one of our names exists that no client was told about, unless one of the answers
 *   for that submission was 502 submit_outcome_unknown;
 * - one submission (one Idempotency-Key) never becomes two jobs, nor two different job ids;
 * - every request got an HTTP answer within its deadline plus a small margin, with a code the case
 *   allows.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { call, type Reply } from './http.js';
import { sleep } from './cluster.js';

const run = promisify(execFile);

export const HELD_SCRIPT = '#!/bin/bash\nsleep 300\n';

export interface Answer {
  kind: 'submit' | 'read';
  path: string;
  /** Submissions: the job name, unique per submission, and its Idempotency-Key. */
  name?: string;
  key?: string;
  status: number;
  code?: string;
  jobId?: number;
  error?: string;
  elapsedMs: number;
  /** What the case allows for this request ("201", "504 deadline_exceeded", "refused"). */
  allowed: string[];
  /** Sent as X-Request-Id, so the gateway's log says whether it ever parsed the request. */
  requestId?: string;
}

export interface LedgerOptions {
  /** The gateway's --timeout, in ms. */
  timeoutMs: number;
  /** Allowed lateness over the deadline. @default 1000 */
  marginMs?: number;
  /** Extra headers (Authorization). */
  headers?: Record<string, string>;
}

export interface SlurmJob { jobId: number; name: string; state: string; source: 'squeue' | 'sacct' }

export interface Report {
  violations: string[];
  /** Jobs a client was told about (201, or 200 for a replay) that neither squeue nor sacct knows: Slurm lost them. */
  lost: string[];
  /** Jobs that exist after a submit_outcome_unknown answer (allowed, reported). */
  unknownCreated: string[];
  counts: Record<string, number>;
}

/** "201", "504 deadline_exceeded", or the client-side error ("ECONNREFUSED"). */
export function outcome(a: Pick<Answer, 'status' | 'code' | 'error'>): string {
  if (a.status === 0) return a.error ?? 'no answer';
  return a.code ? `${a.status} ${a.code}` : String(a.status);
}

export class Ledger {
  readonly prefix = `flt-${randomBytes(3).toString('hex')}`;
  readonly answers: Answer[] = [];
  readonly #options: Required<LedgerOptions>;
  #seq = 0;
  #requests = 0;

  constructor(options: LedgerOptions) {
    this.#options = { marginMs: 1000, headers: {}, ...options };
  }

  /** A fresh submission: a unique job name, used as its Idempotency-Key too. */
  nextName(): string {
    return `${this.prefix}-${++this.#seq}`;
  }

  body(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { script: HELD_SCRIPT, name, hold: true, time_limit: 5, ...extra };
  }

  async submit(url: string, allowed: string[], options: { name?: string; key?: string; extra?: Record<string, unknown> } = {}): Promise<Answer> {
    const name = options.name ?? this.nextName();
    const key = options.key ?? name;
    const reply = await this.#call(url, { method: 'POST', path: '/v1/jobs', body: this.body(name, options.extra), headers: { 'Idempotency-Key': key } });
    return this.#record('submit', '/v1/jobs', reply, allowed, { name, key });
  }

  async read(url: string, path: string, allowed: string[]): Promise<Answer> {
    return this.#record('read', path, await this.#call(url, { method: 'GET', path }), allowed, {});
  }

  /** `count` submits and `reads` reads with at most `concurrency` in flight; `after` runs after each answer. */
  async load(url: () => string, o: { submits: number; reads?: number; concurrency: number; submitAllowed: string[]; readAllowed?: string[]; after?: (done: number) => void | Promise<void> }): Promise<void> {
    const jobs: Array<() => Promise<Answer>> = [];
    const reads = o.reads ?? 0;
    for (let i = 0; i < o.submits + reads; i++) {
      // Interleaved: a read after every submits/reads submits.
      const isRead = reads > 0 && i % Math.ceil((o.submits + reads) / reads) === 1;
      jobs.push(isRead ? () => this.read(url(), `/v1/jobs?name=${this.prefix}-1`, o.readAllowed ?? ['200']) : () => this.submit(url(), o.submitAllowed));
    }
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        await job();
        done++;
        await o.after?.(done);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  }

  async #call(url: string, c: { method: 'GET' | 'POST'; path: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply & { requestId: string }> {
    const requestId = `${this.prefix}-r${++this.#requests}`;
    const headers = { ...this.#options.headers, ...c.headers, 'X-Request-Id': requestId };
    return { ...await call(url, { ...c, headers, clientTimeoutMs: this.#options.timeoutMs + this.#options.marginMs + 10_000 }), requestId };
  }

  #record(kind: Answer['kind'], path: string, reply: Reply & { requestId: string }, allowed: string[], extra: { name?: string; key?: string }): Answer {
    const body = reply.body && typeof reply.body === 'object' ? reply.body : {};
    const answer: Answer = {
      kind, path, ...extra,
      status: reply.status,
      ...(body.error?.code && { code: body.error.code }),
      // 201, or 200 for a replayed Idempotency-Key: either way the client was told this job.
      ...(kind === 'submit' && (reply.status === 201 || reply.status === 200) && typeof body.job_id === 'number' && { jobId: body.job_id }),
      ...(reply.error && { error: reply.error }),
      elapsedMs: reply.elapsedMs,
      requestId: reply.requestId,
      allowed,
    };
    this.answers.push(answer);
    return answer;
  }

  /** Slurm's truth for our names: squeue (as root, all states) and sacct (accounting). */
  async truth(): Promise<SlurmJob[]> {
    const mine = (name: string) => name.startsWith(`${this.prefix}-`);
    const { stdout: q } = await run('squeue', ['-h', '-a', '-t', 'all', '-o', '%i|%j|%T'], { env: { ...process.env, LC_ALL: 'C' }, timeout: 30_000 });
    const { stdout: s } = await run('sacct', ['-a', '-X', '-D', '-n', '-P', '-o', 'JobIDRaw,JobName,State', '-S', 'now-2hours'], { env: { ...process.env, LC_ALL: 'C' }, timeout: 30_000 });
    const parse = (text: string, source: SlurmJob['source']) => text.trim().split('\n').filter(Boolean)
      .map((line) => line.split('|'))
      .map(([id, name, state]) => ({ jobId: Number(id), name: name!, state: state!, source }))
      .filter((j) => mine(j.name));
    return [...parse(q, 'squeue'), ...parse(s, 'sacct')];
  }

  /**
   * Waits until Slurm's view of our jobs stops changing (a stopped controller creates jobs from
   * its backlog when it resumes; accounting lags the controller), then checks every invariant.
   */
  async check(): Promise<Report> {
    let jobs = await this.truth();
    for (let i = 0, stable = 0; i < 20 && stable < 2; i++) {
      await sleep(700);
      const again = await this.truth();
      stable = key(again) === key(jobs) ? stable + 1 : 0;
      jobs = again;
    }
    return this.evaluate(jobs);
  }

  evaluate(jobs: SlurmJob[]): Report {
    const { timeoutMs, marginMs } = this.#options;
    const report: Report = { violations: [], lost: [], unknownCreated: [], counts: {} };
    for (const a of this.answers) {
      const o = outcome(a);
      report.counts[`${a.kind} ${o}`] = (report.counts[`${a.kind} ${o}`] ?? 0) + 1;
      const what = `${a.kind === 'submit' ? `POST ${a.name}` : `GET ${a.path}`}`;
      const empty = a.status === 0 && a.error !== 'ECONNREFUSED';
      if (empty) report.violations.push(`${what}: no answer (${a.error}) after ${a.elapsedMs} ms`);
      else if (!a.allowed.includes(o)) report.violations.push(`${what}: answered ${o}, allowed: ${a.allowed.join(' | ')}`);
      if (a.status !== 0 && a.elapsedMs > timeoutMs + marginMs) report.violations.push(`${what}: answered ${o} after ${a.elapsedMs} ms, deadline ${timeoutMs} ms (+${marginMs} ms margin)`);
    }

    const byName = new Map<string, Set<number>>(); // name -> job ids Slurm has (controller or accounting)
    for (const j of jobs) {
      byName.set(j.name, (byName.get(j.name) ?? new Set()).add(j.jobId));
    }
    const submits = new Map<string, Answer[]>();
    for (const a of this.answers) if (a.kind === 'submit') submits.set(a.name!, [...(submits.get(a.name!) ?? []), a]);

    for (const [name, answers] of submits) {
      const told = new Set(answers.filter((a) => a.jobId !== undefined).map((a) => a.jobId!));
      const found = byName.get(name) ?? new Set<number>();
      const unknown = answers.some((a) => a.code === 'submit_outcome_unknown');
      const history = answers.map(outcome).join(', ');
      if (told.size > 1) report.violations.push(`${name}: one submission was told different job ids ${[...told].join(', ')}`);
      if (found.size > 1) report.violations.push(`${name}: one submission became ${found.size} jobs (${[...found].join(', ')}); answers: ${history}`);
      for (const id of told) {
        if (found.has(id)) continue;
        if (found.size === 0) report.lost.push(`${name}: job ${id} was answered ${history} but neither squeue nor sacct knows it (Slurm lost it)`);
        else report.violations.push(`${name}: told job ${id}, but Slurm has ${[...found].join(', ')}`);
      }
      if (told.size === 0 && found.size > 0) {
        if (unknown) report.unknownCreated.push(`${name}: job ${[...found].join(', ')} exists after ${history}`);
        else report.violations.push(`${name}: job ${[...found].join(', ')} exists, but no client was told about it (answers: ${history})`);
      }
    }
    for (const [name, ids] of byName) {
      if (!submits.has(name)) report.violations.push(`${name}: job ${[...ids].join(', ')} exists, but this ledger never submitted that name`);
    }
    return report;
  }

  /** Every job of ours that Slurm still has, for scancel. */
  async jobIds(): Promise<number[]> {
    return [...new Set((await this.truth()).filter((j) => j.source === 'squeue').map((j) => j.jobId))];
  }

  async cleanup(): Promise<void> {
    try {
      const ids = await this.jobIds();
      if (ids.length) await run('scancel', ids.map(String), { timeout: 30_000 });
    } catch { /* best effort: held jobs of a dead run do not disturb the next one */ }
  }
}

const key = (jobs: SlurmJob[]) => jobs.map((j) => `${j.source}:${j.jobId}:${j.name}`).sort().join(',');

/** A readable summary for a failing expectation. */
export function describeReport(r: Report): string {
  return [
    `counts: ${JSON.stringify(r.counts)}`,
    ...r.violations.map((v) => `VIOLATION ${v}`),
    ...r.lost.map((v) => `lost by Slurm: ${v}`),
    ...r.unknownCreated.map((v) => `unknown outcome, job exists: ${v}`),
  ].join('\n');
}

/**
 * Cancels every unfinished job of any fault ledger. A controller killed with SIGKILL restarts from
 * its last saved state, which can bring back jobs an earlier case had already cancelled.
 */
export async function sweepFaultJobs(): Promise<void> {
  try {
    const { stdout } = await run('squeue', ['-h', '-a', '-t', 'PD,R,S,CF', '-o', '%i|%j'], { env: { ...process.env, LC_ALL: 'C' }, timeout: 30_000 });
    const ids = stdout.trim().split('\n').map((l) => l.split('|')).filter(([, name]) => /^flt-[0-9a-f]{6}-\d+$/.test(name ?? '')).map(([id]) => id!);
    if (ids.length) await run('scancel', ids, { timeout: 30_000 });
  } catch { /* best effort */ }
}
