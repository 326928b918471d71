import { describe, expect, test } from '@jest/globals';
import { directiveLines, plainWords } from '../../src/slurm/script-directives.js';
import { scriptDirectives as internalDirectives } from '../../src/executors/internal/submit.js';

describe('directiveLines: the one #SBATCH reader', () => {
  test('reads #SBATCH and #SLURM lines up to the first command, past comments, blanks and indented comments', () => {
    const script = '#!/bin/sh\n#SBATCH -J a\n\n  # indented comment\n#SLURM --time=5\n# plain comment\necho hi\n#SBATCH -J late\n';
    expect(directiveLines(script)).toEqual([{ magic: '#SBATCH', rest: ' -J a' }, { magic: '#SLURM', rest: ' --time=5' }]);
  });

  test('plainWords splits on whitespace, quotes around whole words, and stops at a comment', () => {
    expect(plainWords(' -J "a b" --comment=\'x\' # -o out')).toEqual(['-J', 'a b', "--comment='x'"]);
  });
});

describe('the internal executor applies what the reader finds', () => {
  test('#SBATCH options become request fields; #SLURM lines are not applied', () => {
    expect(internalDirectives('#!/bin/sh\n#SBATCH -J a --time=5\n  # note\n#SBATCH -p debug\n#SLURM -J other\nsleep 1\n'))
      .toEqual({ name: 'a', time_limit: '5', partition: 'debug' });
  });

  test('an option it cannot honour is refused', () => {
    expect(() => internalDirectives('#!/bin/sh\n#SBATCH --mail-user=x\n')).toThrow(/not supported by --executor=internal/);
  });
});
