/** The rule both executors apply when a token caller cannot read slurmctld's reply to suspend/resume. */
import { isUnreadableReply, outcomeOfUnreadableReply } from '../../src/slurm/suspend-reply.js';

describe('an unreadable reply to suspend or resume', () => {
  it('is recognised from what scontrol and slurm_strerror() print', () => {
    // Captured from scontrol suspend with SLURM_JWT set, Slurm 22.05 (the private cluster).
    const stderr = 'scontrol: error: auth_g_unpack: authentication plugin auth/munge(101) not found\nscontrol: error: slurm_unpack_received_msg: [[localhost]:16817] auth_g_unpack: RESPONSE_SLURM_RC has authentication error: Resource temporarily unavailable\nscontrol: error: slurm_unpack_received_msg: [[localhost]:16817] Header lengths are longer than data received\nUnexpected message received for job 67\n';
    expect(isUnreadableReply(stderr)).toBe(true);
    expect(isUnreadableReply('Unexpected message received')).toBe(true);
    expect(isUnreadableReply('Access/permission denied')).toBe(false);
  });

  const job = (state: string) => ({ state }) as { state: any };

  it('is success when the job went from the state the action needs to the one it leads to', () => {
    expect(outcomeOfUnreadableReply('suspend', '7', job('RUNNING'), job('SUSPENDED'))).toBeNull();
    expect(outcomeOfUnreadableReply('resume', '7', job('SUSPENDED'), job('RUNNING'))).toBeNull();
  });

  it('is 403 when the job could have changed and did not, 409 when it could not, 404 when it is gone', () => {
    expect(outcomeOfUnreadableReply('suspend', '7', job('RUNNING'), job('RUNNING'))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(outcomeOfUnreadableReply('resume', '7', job('SUSPENDED'), job('SUSPENDED'))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(outcomeOfUnreadableReply('suspend', '7', job('PENDING'), job('PENDING'))).toMatchObject({ status: 409, code: 'invalid_job_state' });
    // Already where the action leads: not this call's doing; Slurm tells an operator the same.
    expect(outcomeOfUnreadableReply('resume', '7', job('RUNNING'), job('RUNNING'))).toMatchObject({ status: 409, code: 'invalid_job_state' });
    expect(outcomeOfUnreadableReply('suspend', '7', undefined, job('RUNNING'))).toMatchObject({ status: 404, code: 'job_not_found' });
    expect(outcomeOfUnreadableReply('suspend', '7', job('RUNNING'), undefined)).toMatchObject({ status: 404, code: 'job_not_found' });
  });
});
