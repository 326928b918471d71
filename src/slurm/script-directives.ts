/**
 * A batch script's `#SBATCH` (and deprecated `#SLURM`) directives, read as sbatch reads them
 * (src/sbatch/opt.c, _opt_batch_script(), Slurm 22.05): the lines that start with the magic word,
 * up to the first command (a line whose first non-blank character is not `#`). One reader, used
 * by the request schema (what a script may set) and by the internal executor (what it sets). Pure.
 */

export const DIRECTIVE_MAGICS = ['#SBATCH', '#SLURM'] as const;
export type DirectiveMagic = (typeof DIRECTIVE_MAGICS)[number];

export interface DirectiveLine {
  magic: DirectiveMagic;
  /** The line after its magic word: the options, not yet split. */
  rest: string;
}

/** The directive lines sbatch reads: those before the first command. */
export function directiveLines(script: string): DirectiveLine[] {
  const lines: DirectiveLine[] = [];
  for (const line of script.split('\n')) {
    const magic = DIRECTIVE_MAGICS.find((m) => line.startsWith(m));
    if (!magic) {
      if (/^\s*[^\s#]/.test(line)) break; // a command: sbatch stops reading directives
      continue;
    }
    lines.push({ magic, rest: line.slice(magic.length) });
  }
  return lines;
}

/** sbatch's _get_argument(): backslash escapes, '…' and "…" quoting anywhere, `#` ends the line. */
export function sbatchWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    let word = '';
    let quote = '';
    for (; i < line.length && (quote || !/\s/.test(line[i]!)); i++) {
      const c = line[i]!;
      if (c === '\\') { word += line[++i] ?? ''; continue; }
      if (quote) { if (c === quote) quote = ''; else word += c; continue; }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (c === '#') { i = line.length; break; }
      word += c;
    }
    words.push(word);
  }
  return words;
}

/** The internal executor's reading: whitespace-separated, quotes only around a whole word, `#…` ends it. */
export function plainWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (m[3]?.startsWith('#')) break;
    words.push(m[1] ?? m[2] ?? m[3]!);
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// What a script could set, read inclusively (sbatch's own tokenizer and a plain whitespace split,
// long options by any prefix, bundled short options): a reading that finds too much only refuses
// more. The request schema checks these as it checks the body's own fields.

export interface ScriptDirectives {
  /** Values of --output, --error, --input (and their abbreviations, -o, -e, -i). */
  outputs: string[];
  /** Options the gateway decides, never a script ({@link gatewayOwned}), as written. */
  owned: string[];
  /** Values of --chdir / -D. */
  chdirs: string[];
  /** Values of --job-name / -J. */
  names: string[];
}

const PATH_OPTIONS = ['output', 'error', 'input'];

/**
 * sbatch options a script may not set, because the gateway decides them: who the job runs as
 * (the caller), its environment (the request's `environment`, never a file the gateway's user
 * could read), and how sbatch answers (the gateway reads its job id; --wait, --test-only, --quiet
 * or another cluster would make an answer that says nothing or lies).
 */
const GATEWAY_OWNED: Record<string, string> = {
  uid: 'the job runs as its caller', gid: 'the job runs as its caller',
  export: 'the job environment is the request\'s "environment" field',
  'export-file': 'the job environment is the request\'s "environment" field',
  'get-user-env': 'the job environment is the request\'s "environment" field (over the user\'s login environment)',
  wait: 'the gateway answers when the job is submitted', 'test-only': 'the gateway submits the job',
  quiet: 'the gateway reads the job id sbatch prints', clusters: 'the gateway submits to its own cluster',
};
/** Short forms of {@link GATEWAY_OWNED}: -Q, -W and -M. */
const OWNED_SHORT: Record<string, string> = { Q: 'quiet', W: 'wait', M: 'clusters' };
/** sbatch's short options that take an argument: in a bundle, the rest of the word is theirs. */
const SHORT_WITH_ARGUMENT = /[aAbcCdDeFGiJLmMnNopqStwx]/;

/** Why `#SBATCH …` may not set this option, or undefined. Long options count by any prefix, as getopt_long reads them. */
export function gatewayOwned(option: string): string | undefined {
  const name = option.startsWith('--') ? option.slice(2) : OWNED_SHORT[option.slice(1)];
  if (!name || name.length < 2) return undefined;
  // A prefix of an owned option is that option, or ambiguous (which sbatch refuses anyway).
  const owned = Object.keys(GATEWAY_OWNED).find((o) => o.startsWith(name));
  return owned && GATEWAY_OWNED[owned];
}

/** Every location, name and gateway-owned option the script's directives could set, under either reading. */
export function scriptDirectives(script: string): ScriptDirectives {
  const found: ScriptDirectives = { outputs: [], owned: [], chdirs: [], names: [] };
  for (const { rest } of directiveLines(script)) {
    for (const words of [sbatchWords(rest), plainWords(rest)]) collect(words, found);
  }
  return found;
}

function collect(words: string[], found: ScriptDirectives): void {
  const add = (kind: keyof ScriptDirectives, value: string | undefined) => { if (value !== undefined && !found[kind].includes(value)) found[kind].push(value); };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = (eq < 0 ? word.slice(2) : word.slice(2, eq)).toLowerCase();
      const value = eq < 0 ? words[i + 1] : word.slice(eq + 1);
      if (PATH_OPTIONS.some((o) => o.startsWith(name))) add('outputs', value);
      if ('chdir'.startsWith(name)) add('chdirs', value);
      if ('job-name'.startsWith(name)) add('names', value);
      if (gatewayOwned(`--${name}`)) add('owned', `--${name}`);
    } else if (word.startsWith('-') && word.length > 1) {
      // Bundled short options ("-HQ", "-Mx"): flags up to the first letter that takes an argument.
      for (const letter of word.slice(1)) {
        if (OWNED_SHORT[letter]) add('owned', `-${letter}`);
        if (SHORT_WITH_ARGUMENT.test(letter)) break;
      }
      // Bundled short options ("-Ho x"): the first letter that takes a path or name takes the rest.
      const at = word.slice(1).search(/[oeiDJ]/);
      if (at < 0) continue;
      const letter = word[at + 1]!;
      const value = word.length > at + 2 ? word.slice(at + 2) : words[i + 1];
      add(letter === 'D' ? 'chdirs' : letter === 'J' ? 'names' : 'outputs', value);
    }
  }
}
