import { records, UnreadableOutput } from '../../src/executors/external/parse/values.js';
import { durationToMinutes, epochToIso, optionalInt } from '../../src/slurm/values.js';
import { parseKeyValues } from '../../src/executors/external/parse/keyvalue.js';

describe('Slurm value parsing', () => {
  it.each([
    ['UNLIMITED', null], ['NOT_SET', null], ['N/A', null], ['5', 5], ['30:00', 30], ['30:01', 31],
    ['1:00:00', 60], ['2-00:00:00', 2880], ['1-02:03:00', 1563], ['1-02:03:04', 1564], ['1-02', 1560], ['0:59', 1],
  ])('duration %s is %p minutes', (text, minutes) => {
    expect(durationToMinutes(text)).toBe(minutes);
  });

  it('reads epoch seconds as ISO 8601 UTC and placeholders as null', () => {
    expect(epochToIso('1763789400')).toBe('2025-11-22T05:30:00.000Z');
    expect(epochToIso('0')).toBeNull();
    expect(epochToIso('N/A')).toBeNull();
    // Past year 9999 RFC 3339 has no way to write it (toISOString would give "+010193-…"): not known.
    // 259,494,179,961 (+010193-01-15T20:39:21Z) is a start `sbatch --test-only` answered on a busy node.
    expect(epochToIso('259494179961')).toBeNull();
    expect(epochToIso(253402300799)).toBe('9999-12-31T23:59:59.000Z');
    expect(epochToIso(253402300800)).toBeNull();
    expect(epochToIso(Number.NaN)).toBeNull(); // a number that is none: null, not toISOString's RangeError
    expect(optionalInt('(null)')).toBeNull();
  });

  it('checks the width of every record', () => {
    expect(records('a\u001fb\u001e\nc\u001fd\u001e\n', '\u001f', '\u001e', 2, 't')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(() => records('a\u001fb\u001e\nc\u001e\n', '\u001f', '\u001e', 2, 'squeue')).toThrow(UnreadableOutput);
  });

  it('splits scontrol one-liners on keys, keeping values with spaces and = signs', () => {
    expect(parseKeyValues('PartitionName=debug AllowGroups=ALL Reason=a b=c Nodes=n[1-2]')).toEqual({
      PartitionName: 'debug', AllowGroups: 'ALL', Reason: 'a', b: 'c', Nodes: 'n[1-2]',
    });
  });
});
