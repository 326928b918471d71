/**
 * The fault suite's invariant checker (test/faults/support/ledger.ts) on made-up answers and
 * made-up Slurm truth: no cluster, so it runs with `npm test` and proves the checker itself.
 */
import { Ledger, type Answer, type SlurmJob } from '../faults/support/ledger.js';

function ledgerWith(answers: Array<Partial<Answer> & Pick<Answer, 'status'>>): Ledger {
  const ledger = new Ledger({ timeoutMs: 3000, marginMs: 1000 });
  for (const a of answers) {
    ledger.answers.push({ kind: 'submit', path: '/v1/jobs', elapsedMs: 100, allowed: ['201', '502 submit_outcome_unknown', '504 deadline_exceeded', 'ECONNREFUSED'], ...a });
  }
  return ledger;
}

const job = (ledger: Ledger, n: number, jobId: number, source: SlurmJob['source'] = 'squeue'): SlurmJob => ({ jobId, name: `${ledger.prefix}-${n}`, state: 'PENDING', source });

describe('fault ledger', () => {
  test('a 201 whose job exists once, in the controller and in accounting, holds', () => {
    const l = ledgerWith([]);
    l.answers.push({ kind: 'submit', path: '/v1/jobs', name: `${l.prefix}-1`, status: 201, jobId: 7, elapsedMs: 50, allowed: ['201'] });
    const r = l.evaluate([job(l, 1, 7), job(l, 1, 7, 'sacct')]);
    expect(r).toMatchObject({ violations: [], lost: [], unknownCreated: [] });
  });

  test('a 201 whose job neither squeue nor sacct knows is lost by Slurm: reported, not a violation', () => {
    const l = ledgerWith([]);
    l.answers.push({ kind: 'submit', path: '/v1/jobs', name: `${l.prefix}-1`, status: 201, jobId: 7, elapsedMs: 50, allowed: ['201'] });
    const r = l.evaluate([]);
    expect(r.violations).toEqual([]);
    expect(r.lost).toHaveLength(1);
  });

  test('a job nobody was told about is a violation unless an answer was submit_outcome_unknown', () => {
    const l = ledgerWith([]);
    l.answers.push({ kind: 'submit', path: '/v1/jobs', name: `${l.prefix}-1`, status: 504, code: 'deadline_exceeded', elapsedMs: 3000, allowed: ['504 deadline_exceeded'] });
    l.answers.push({ kind: 'submit', path: '/v1/jobs', name: `${l.prefix}-2`, status: 502, code: 'submit_outcome_unknown', elapsedMs: 3000, allowed: ['502 submit_outcome_unknown'] });
    const r = l.evaluate([job(l, 1, 8), job(l, 2, 9)]);
    expect(r.violations).toEqual([expect.stringMatching(/-1: job 8 exists, but no client was told about it \(answers: 504 deadline_exceeded\)/)]);
    expect(r.unknownCreated).toEqual([expect.stringMatching(/-2: job 9 exists/)]);
  });

  test('one submission that became two jobs, or two ids, or a different id, is a violation', () => {
    const l = ledgerWith([]);
    const push = (n: number, jobId?: number) => l.answers.push({ kind: 'submit', path: '/v1/jobs', name: `${l.prefix}-${n}`, status: jobId ? 201 : 502, ...(jobId ? { jobId } : { code: 'submit_outcome_unknown' }), elapsedMs: 10, allowed: ['201', '502 submit_outcome_unknown'] });
    push(1); push(1, 11); // unknown, then the retry created a second job
    push(2, 20); push(2, 21); // told two ids
    push(3, 30); // told 30, Slurm has 31
    const r = l.evaluate([job(l, 1, 10), job(l, 1, 11), job(l, 2, 20), job(l, 2, 21), job(l, 3, 31)]);
    expect(r.violations).toEqual([
      expect.stringMatching(/-1: one submission became 2 jobs/),
      expect.stringMatching(/-2: one submission was told different job ids 20, 21/),
      expect.stringMatching(/-2: one submission became 2 jobs/),
      expect.stringMatching(/-3: told job 30, but Slurm has 31/),
    ]);
  });

  test('late answers, empty replies, codes the case does not allow, and jobs of unknown names are violations; a refused connection is not', () => {
    const l = ledgerWith([]);
    l.answers.push({ kind: 'read', path: '/v1/jobs', status: 504, code: 'deadline_exceeded', elapsedMs: 4500, allowed: ['504 deadline_exceeded'] });
    l.answers.push({ kind: 'read', path: '/v1/nodes', status: 0, error: 'ECONNRESET', elapsedMs: 2300, allowed: ['200'] });
    l.answers.push({ kind: 'read', path: '/v1/nodes', status: 0, error: 'ECONNREFUSED', elapsedMs: 1, allowed: ['200', 'ECONNREFUSED'] });
    l.answers.push({ kind: 'read', path: '/v1/jobs/1', status: 502, code: 'scheduler_error', elapsedMs: 10, allowed: ['200'] });
    const r = l.evaluate([job(l, 99, 5)]);
    expect(r.violations).toEqual([
      expect.stringMatching(/GET \/v1\/jobs: answered 504 deadline_exceeded after 4500 ms/),
      expect.stringMatching(/GET \/v1\/nodes: no answer \(ECONNRESET\)/),
      expect.stringMatching(/GET \/v1\/jobs\/1: answered 502 scheduler_error, allowed: 200/),
      expect.stringMatching(/-99: job 5 exists, but this ledger never submitted that name/),
    ]);
  });
});
