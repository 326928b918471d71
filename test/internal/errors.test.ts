/**
 * The errno table against the external executor's stderr classification: for every Slurm error
 * message, both executors give the same code, except where stderr.ts's patterns miss a message
 * (listed, and reported in docs/internal-executor.md). Also: start-up refusal messages.
 */
import { classify } from '../../src/executors/external/stderr.js';
import { loadBinding, REBUILD_HINT } from '../../src/executors/internal/binding.js';
import { ErrorTable } from '../../src/executors/internal/errors.js';
import { sigName2Num } from '../../src/executors/internal/plans.js';
import { bitFmt, msort, parseJobSpec } from '../../src/executors/internal/squeue.js';
import { timeStr2Mins } from '../../src/executors/internal/submit.js';
import './support.js';

/** Errnos the internal table classifies although stderr.ts's patterns do not recognise their message: none left. */
const KNOWN_GAPS: string[] = [];

test('every Slurm errno: the same code as the external executor derives from its message', () => {
  const binding = loadBinding();
  const table = new ErrorTable(binding);
  const gaps = new Set(KNOWN_GAPS.map((name) => binding.constants.errno[name]));
  const disagreements: string[] = [];
  let checked = 0;
  for (let errno = -1; errno < 10000; errno++) {
    const message = binding.strerror(errno);
    if (/^Unknown error/.test(message)) continue;
    checked++;
    const external = classify({ invocation: { tool: 'scontrol', args: [] }, exitCode: 1, stdout: '', stderr: `scontrol: error: ${message}\n` }, 'x').code;
    const internal = table.codeOf(errno);
    if (internal !== external && !gaps.has(errno)) disagreements.push(`${errno} ${table.nameOf(errno) ?? ''} "${message}": internal ${internal}, external ${external}`);
  }
  expect(checked).toBeGreaterThan(300);
  expect(disagreements).toEqual([]);
});

test('a missing binding names the Debian package and the rebuild command', () => {
  expect(() => loadBinding('/nonexistent/slurm_binding.node')).toThrow(expect.objectContaining({
    code: 'scheduler_unavailable',
    message: expect.stringContaining('libslurm-dev'),
  }));
  expect(REBUILD_HINT).toContain('npm run build:native');
  expect(() => loadBinding('/nonexistent/slurm_binding.node')).toThrow(/npm run build:native/);
});

test('scancel signal names, squeue job ids, time strings, bit_fmt, glibc merge sort', () => {
  expect(sigName2Num('USR1')).toBe(10);
  expect(sigName2Num('sigterm')).toBe(15);
  expect(sigName2Num(' 9 ')).toBe(9);
  expect(sigName2Num('NOPE')).toBe(0);
  expect(sigName2Num('9x')).toBe(0);
  expect(parseJobSpec('12_3', 0xfffffffe)).toEqual({ jobId: 12, taskId: 3 });
  expect(parseJobSpec('12abc', 0xfffffffe)).toEqual({ jobId: 12, taskId: 0xfffffffe });
  expect(parseJobSpec('abc', 0xfffffffe)).toBeUndefined();
  expect(parseJobSpec('0', 0xfffffffe)).toBeUndefined();
  expect(timeStr2Mins('5')).toBe(5);
  expect(timeStr2Mins('5:30')).toBe(6);
  expect(timeStr2Mins('1:00:00')).toBe(60);
  expect(timeStr2Mins('1-2')).toBe(26 * 60);
  expect(timeStr2Mins('soon')).toBeUndefined();
  expect(bitFmt([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
  expect(bitFmt([1, 2, 3], 4)).toBe('1-');
  const stable = msort([3, 1, 2, 1].map((v, i) => ({ v, i })), (a, b) => a.v - b.v);
  expect(stable.map((x) => x.i)).toEqual([1, 3, 2, 0]);
});
