/** Scheduler outages are logged once per transition (#13), not once per request. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { OutageLog } from '../../src/http/outage-log.js';
import { GatewayError } from '../../src/errors.js';
import type { SchedulerCall } from '../../src/scheduler-calls.js';

function capture() {
  const lines: Array<{ level: number; msg: string; daemon?: string }> = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  return { lines, log: pino({ level: 'debug' }, stream) };
}
const WARN = 40;
const DEBUG = 20;
const down = () => new GatewayError('scheduler_unavailable', 'Unable to contact slurm controller (connect failure)');
const call = (name: string, extra: Partial<SchedulerCall> = {}): SchedulerCall => ({ via: 'tool', name, daemon: 'slurmctld', args: [], ms: 1, exit_code: 0, ...extra });
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('OutageLog', () => {
  it('warns once when slurmctld goes down, at debug while it stays down, and once when it answers again', async () => {
    const { lines, log } = capture();
    let now = 1_000;
    const outages = new OutageLog(() => now);
    for (let i = 0; i < 3; i++) expect(outages.failed(down(), log)).toBe(true);
    expect(outages.isDown('slurmctld')).toBe(true);
    now = 6_000;
    outages.answered([call('squeue')], log);
    outages.answered([call('squeue')], log);
    await flush();
    expect(lines.map((l) => [l.level, l.daemon])).toEqual([[WARN, 'slurmctld'], [DEBUG, 'slurmctld'], [DEBUG, 'slurmctld'], [WARN, 'slurmctld']]);
    expect(lines[0]!.msg).toContain('slurmctld is unreachable');
    expect(lines[3]).toMatchObject({ msg: 'slurmctld answers again', down_ms: 5_000, failed_requests: 3 });
    expect(outages.isDown('slurmctld')).toBe(false);
  });

  it('keeps slurmctld and slurmdbd apart, and takes neither a probe nor a failed call as proof that one is back', async () => {
    const { lines, log } = capture();
    const outages = new OutageLog();
    outages.failed(new GatewayError('accounting_unavailable', 'slurmdbd is down'), log);
    outages.answered([call('squeue'), call('slurmdb_connection_get', { via: 'libslurm', daemon: 'slurmdbd', exit_code: undefined }), call('sacct', { daemon: 'slurmdbd', exit_code: 1 })], log);
    expect(outages.isDown('slurmdbd')).toBe(true);
    expect(outages.isDown('slurmctld')).toBe(false);
    outages.answered([call('sacct', { daemon: 'slurmdbd' })], log);
    await flush();
    expect(outages.isDown('slurmdbd')).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual([expect.stringContaining('slurmdbd is unreachable'), 'slurmdbd answers again']);
  });

  it('leaves other failures to the caller', () => {
    const { log } = capture();
    expect(new OutageLog().failed(new GatewayError('scheduler_rejected', 'Invalid partition name specified'), log)).toBe(false);
  });
});
