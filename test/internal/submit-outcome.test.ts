/**
 * The internal executor's submission, driven step by step with libslurm's real constants and
 * strerror texts: it retries what sbatch retries (EAGAIN, a full job table, "nodes busy") with
 * sbatch's growing sleeps up to MAX_RETRIES, keeps a still-true refusal when the deadline comes
 * first, and answers submit_outcome_unknown for a lost reply. A real slurmctld cannot be made to
 * answer EAGAIN on demand, so the call results here are made up; the codes are Slurm's.
 */
import { constants as os } from 'node:os';
import { loadBinding, type SlurmCallError } from '../../src/executors/internal/binding.js';
import { ErrorTable } from '../../src/executors/internal/errors.js';
import { MAX_SUBMIT_RETRIES, planFor } from '../../src/executors/internal/plans.js';
import type { PlanEnv, Step } from '../../src/executors/internal/plan.js';
import { GatewayError } from '../../src/errors.js';
import './support.js';

const binding = loadBinding();
const env: PlanEnv = { binding, errors: new ErrorTable(binding), submit: { cwd: '/tmp', uid: 0, gid: 0 } };
const errno = (name: string) => binding.constants.errno[name] ?? (() => { throw new Error(`no errno ${name}`); })();
const failure = (value: number): SlurmCallError => Object.assign(new Error(binding.strerror(value)), { slurmErrno: value, slurmError: binding.strerror(value), api: 'slurm_submit_batch_job' });

/** Drives a submission: `answer` gets each submit call's attempt number; sleeps are recorded. */
function drive(answer: (attempt: number) => { job_id: number } | SlurmCallError, budgetMs = Infinity) {
  const plan = planFor({ kind: 'jobs.submit', submission: { script: '#!/bin/sh\ntrue\n' } }, env);
  const sleeps: number[] = [];
  let attempts = 0;
  let step = plan.next();
  while (!step.done) {
    const s: Step = step.value;
    if (s.kind === 'sleep') {
      if (s.ms >= budgetMs) throw s.instead ?? new GatewayError('deadline_exceeded');
      budgetMs -= s.ms;
      sleeps.push(s.ms);
      step = plan.next(undefined);
      continue;
    }
    expect(s.op).toBe('submit');
    const result = answer(++attempts);
    step = 'slurmErrno' in result ? plan.throw(result) : plan.next({ ...result, error_code: 0, user_msg: null });
  }
  return { value: step.value, sleeps, attempts };
}

const codeOf = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return (e as GatewayError).code; } };

test.each(['EAGAIN', 'ESLURM_ERROR_ON_DESC_TO_RECORD_COPY', 'ESLURM_NODES_BUSY'])('retries %s as sbatch does, then answers the job', (name) => {
  const value = name === 'EAGAIN' ? os.errno.EAGAIN : errno(name);
  const run = drive((attempt) => (attempt < 3 ? failure(value) : { job_id: 77 }));
  expect(run.value).toEqual({ job_id: 77 });
  expect(run.sleeps).toEqual([1000, 2000]);
});

test('gives up after MAX_RETRIES with the refusal (nothing was created)', () => {
  let error: GatewayError | undefined;
  try { drive(() => failure(os.errno.EAGAIN)); } catch (e) { error = e as GatewayError; }
  expect(MAX_SUBMIT_RETRIES).toBe(15);
  expect(error?.code).toBe('scheduler_unavailable');
});

test('the deadline before the next retry answers the refusal, not submit_outcome_unknown', () => {
  expect(codeOf(() => drive(() => failure(os.errno.EAGAIN), 2500))).toBe('scheduler_unavailable');
});

test.each([
  'SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT', 'SLURM_COMMUNICATIONS_RECEIVE_ERROR', 'SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR',
  'SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT', 'SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH', 'SLURM_UNEXPECTED_MSG_ERROR',
])('a lost reply (%s) is submit_outcome_unknown, never retried', (name) => {
  let error: GatewayError | undefined;
  let attempts = 0;
  try { drive(() => { attempts++; return failure(errno(name)); }); } catch (e) { error = e as GatewayError; }
  expect([error?.code, attempts]).toEqual(['submit_outcome_unknown', 1]);
  expect(error?.message).toContain(binding.strerror(errno(name)));
});

test.each([
  ['SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR', 'scheduler_unavailable'],
  ['SLURMCTLD_COMMUNICATIONS_SEND_ERROR', 'scheduler_unavailable'],
  ['ESLURM_INVALID_PARTITION_NAME', 'scheduler_rejected'],
  ['ESLURM_ACCESS_DENIED', 'forbidden'],
])('a submission that never reached slurmctld, or was refused (%s), keeps its code', (name, code) => {
  expect(codeOf(() => drive(() => failure(errno(name))))).toBe(code);
});
