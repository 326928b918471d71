import { invalidUsers, withKnownUsers, withoutInvalidUserLines } from '../../src/slurm/filters.js';

describe('filters naming users that do not exist (#12)', () => {
  it("reads the users squeue and sacct could not resolve", () => {
    expect(invalidUsers('squeue: error: Invalid user: nosuchuser\n\n')).toEqual(['nosuchuser']);
    expect(invalidUsers('sacct: error: Invalid user id: a\nsacct: error: Invalid user id: b\n')).toEqual(['a', 'b']);
    expect(invalidUsers('squeue: error: Invalid job id specified\n')).toEqual([]);
  });

  it('keeps every other complaint', () => {
    expect(withoutInvalidUserLines('squeue: error: Invalid user: x\nsqueue: error: Something else\n')).toBe('squeue: error: Something else\n');
  });

  it('drops unknown users; none left is null (an empty answer, no call)', () => {
    const known = (u: string) => u !== 'ghost';
    expect(withKnownUsers({ user: ['ghost', 'root'], state: ['PENDING'] }, known)).toEqual({ user: ['root'], state: ['PENDING'] });
    expect(withKnownUsers({ user: ['ghost'] }, known)).toBeNull();
    const untouched = { user: ['root'] };
    expect(withKnownUsers(untouched, known)).toBe(untouched);
    expect(withKnownUsers({}, known)).toEqual({});
  });
});
