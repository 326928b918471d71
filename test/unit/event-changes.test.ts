/** #15: what one poll's comparison with the last makes of jobs, nodes and partitions (no Slurm). */
import { changes, see, type Snapshot } from '../../src/events/changes.js';
import type { Job, Node, Partition } from '../../src/model.js';

const job = (job_id: number, state: string, more: Partial<Job> = {}) => ({ job_id, state, user: 'alice', partition: 'debug', reason: null, exit_code: null, array_job_id: null, array_task_id: null, ...more }) as Job;
const node = (name: string, state: string, flags: string[] = []) => ({ name, state, state_flags: flags, partitions: ['debug'] }) as unknown as Node;
const partition = (name: string, state = 'UP') => ({ name, state, nodes: 'vm' }) as unknown as Partition;
const snap = (jobs: Job[], nodes: Node[] = [], partitions: Partition[] = []): Snapshot => ({ jobs, nodes, partitions });
const T = '2026-12-01T10:00:00.000Z';
const kinds = (before: Snapshot, now: Snapshot) => changes(see(before), see(now), T).map((c) => `${c.data.type} ${'job_id' in c.data ? c.data.job_id : 'name' in c.data ? c.data.name : ''}${'new_state' in c.data ? ` ${c.data.old_state}->${c.data.new_state}` : ''}`);

describe('event changes', () => {
  it('reports nothing when nothing changed (fields other than the state do not count)', () => {
    expect(kinds(snap([job(1, 'RUNNING')]), snap([job(1, 'RUNNING', { reason: 'None', cpus: 4 } as Partial<Job>)]))).toEqual([]);
  });

  it('a new job is job.submitted; a state change job.state, with old and new state and the reason', () => {
    const found = changes(see(snap([job(1, 'PENDING')])), see(snap([job(1, 'RUNNING', { reason: 'None' }), job(2, 'PENDING')])), T);
    expect(found.map((c) => c.data.type)).toEqual(['job.state', 'job.submitted']);
    expect(found[0]!.data).toMatchObject({ type: 'job.state', time: T, job_id: 1, old_state: 'PENDING', new_state: 'RUNNING', reason: 'None', job: { job_id: 1 } });
    expect(found[1]!.data).toMatchObject({ type: 'job.submitted', job_id: 2, job: { state: 'PENDING' } });
  });

  it('entering an ended state is job.finished with the exit code; a job no longer listed is job.gone', () => {
    const found = changes(see(snap([job(1, 'RUNNING'), job(2, 'COMPLETED')])), see(snap([job(1, 'FAILED', { exit_code: 3 })])), T);
    expect(found.map((c) => c.data)).toEqual([
      expect.objectContaining({ type: 'job.finished', job_id: 1, old_state: 'RUNNING', new_state: 'FAILED', exit_code: 3 }),
      { type: 'job.gone', time: T, job_id: 2 },
    ]);
    // A gone job keeps the subject it had, so filters treat it like the job.
    expect(found[1]!.subject).toMatchObject({ user: 'alice', jobId: 2, partitions: ['debug'] });
  });

  it('a job first seen past PENDING (it started or ended between two polls) reads submitted, then its move from PENDING', () => {
    expect(kinds(snap([]), snap([job(5, 'RUNNING'), job(6, 'COMPLETED'), job(7, 'PENDING')]))).toEqual([
      'job.submitted 5', 'job.state 5 PENDING->RUNNING', 'job.submitted 6', 'job.finished 6 PENDING->COMPLETED', 'job.submitted 7',
    ]);
  });

  it('a requeued job goes from an ended state back by job.state', () => {
    expect(kinds(snap([job(1, 'COMPLETED')]), snap([job(1, 'PENDING')]))).toEqual(['job.state 1 COMPLETED->PENDING']);
  });

  it('node.state on a change of state or of its flags; a new node is no event', () => {
    expect(kinds(snap([], [node('a', 'IDLE'), node('b', 'IDLE'), node('c', 'MIXED')]), snap([], [node('a', 'ALLOCATED'), node('b', 'IDLE', ['DRAIN']), node('c', 'MIXED'), node('d', 'IDLE')]))).toEqual([
      'node.state a IDLE->ALLOCATED', 'node.state b IDLE->IDLE',
    ]);
  });

  it('partition.changed when any field of a partition changed, or it is new', () => {
    expect(kinds(snap([], [], [partition('debug'), partition('long')]), snap([], [], [partition('debug', 'DOWN'), partition('long'), partition('new')]))).toEqual([
      'partition.changed debug', 'partition.changed new',
    ]);
  });

  it('splits a pending job\'s partition list for the filters', () => {
    const [submitted] = changes(see(snap([])), see(snap([job(9, 'PENDING', { partition: 'debug,long' })])), T);
    expect(submitted!.subject.partitions).toEqual(['debug', 'long']);
  });
});
