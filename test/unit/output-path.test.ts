import { firstHost, outputPath } from '../../src/slurm/output-path.js';

const job = { job_id: 61, array_job_id: 57, array_task_id: 3, user: 'alice', name: 'sim', nodes: 'n[007-9,12]', working_directory: '/home/alice' };
const plain = { ...job, job_id: 42, array_job_id: null, array_task_id: null };

describe('output paths', () => {
  it('uses Slurm\'s default names under the working directory', () => {
    expect(outputPath(null, plain)).toBe('/home/alice/slurm-42.out');
    expect(outputPath(null, job)).toBe('/home/alice/slurm-57_3.out');
  });

  it('expands sbatch filename patterns, with padding, and keeps what it cannot know', () => {
    expect(outputPath('/out/%x-%u-%j-%A_%4a-%N-%s-%%.log', job)).toBe('/out/sim-alice-61-57_0003-n007-%s-%.log');
    expect(outputPath('logs/%j.out', plain)).toBe('/home/alice/logs/42.out');
    expect(outputPath('/o/%a-%N.out', { ...plain, nodes: null })).toBe('/o/%a-%N.out');
    expect(outputPath('/o/\\%j.out', plain)).toBe('/o/%j.out');
    expect(outputPath('rel.out', { ...plain, working_directory: null })).toBeNull();
  });

  it('names no file for a pending array record that stands for several tasks, unless the pattern names one for all', () => {
    const remainder = { ...job, job_id: 57, array_task_id: null };
    expect(outputPath(null, remainder)).toBeNull();
    expect(outputPath('/o/%A_%a.out', remainder)).toBeNull();
    expect(outputPath('/o/%j.out', remainder)).toBeNull();
    expect(outputPath('/o/%A-%x.out', remainder)).toBe('/o/57-sim.out');
  });

  it('reads the first host of a host list', () => {
    expect(firstHost('vm')).toBe('vm');
    expect(firstHost('n[007-9,12],m1')).toBe('n007');
    expect(firstHost(null)).toBeNull();
  });
});
