/**
 * Issue #9, item 9: a munged outage is an outage (503, retry), not a refusal (403) nor a scheduler
 * fault (502). Captured from the private cluster with munged stopped (Slurm 22.05).
 */
import { classify, REPLY_LOST } from '../../src/executors/external/stderr.js';
import { ERRNO_CODES } from '../../src/executors/internal/errors.js';
import { unavailableMessage } from '../../src/slurm/unavailable.js';
import type { RunResult } from '../../src/executors/external/runner.js';

const run = (stderr: string): RunResult => ({ invocation: { tool: 'squeue', args: [] }, exitCode: 1, stdout: '', stderr });

describe('munged down or stopped', () => {
  it('external: the tools\' complaint is 503 scheduler_unavailable with Retry-After, naming munge', () => {
    const stderr = 'squeue: error: If munged is up, restart with --num-threads=10\nsqueue: error: Munge encode failed: Failed to access "/x/munge/munge.socket.2": No such file or directory (Did you start munged?)\nsqueue: error: slurm_send_node_msg: auth_g_create: REQUEST_JOB_INFO has authentication error\nslurm_load_jobs error: Protocol authentication error\n';
    const error = classify(run(stderr), 'Listing jobs failed');
    expect([error.status, error.code, error.retryAfter]).toEqual([503, 'scheduler_unavailable', 5]);
    expect(error.message).toMatch(/authentication service \(munge\) did not answer/);
  });

  it('internal: the errnos libslurm reports are 503 too', () => {
    expect(ERRNO_CODES.SLURM_PROTOCOL_AUTHENTICATION_ERROR).toBe('scheduler_unavailable');
    expect(ERRNO_CODES.SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR).toBe('scheduler_unavailable');
    expect(unavailableMessage('Unexpected missing socket error')).toMatch(/munge/);
    expect(unavailableMessage('Unable to contact slurm controller (connect failure)')).toMatch(/controller is unreachable/);
  });

  it('a real refusal stays 403', () => {
    const error = classify(run('scancel: error: Kill job error on job id 5: Access/permission denied\n'), 'Cancelling job 5 failed');
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
  });
});

describe('slurmctld killed mid-exchange (seen in the fault suite)', () => {
  it('a broken connection is an outage (503), and for a submission an unknown outcome', () => {
    for (const sentence of ['Connection reset by peer', 'Transport endpoint is not connected']) {
      const error = classify(run(`squeue: error: slurm_load_jobs error: ${sentence}\n`), 'Listing jobs failed');
      expect([sentence, error.status, error.code]).toEqual([sentence, 503, 'scheduler_unavailable']);
      expect(REPLY_LOST.test(`sbatch: error: Batch job submission failed: ${sentence}`)).toBe(true);
    }
    expect(REPLY_LOST.test('sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)')).toBe(false);
  });
});
