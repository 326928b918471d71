import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptionsError, parseOptions } from '../../src/options.js';

const parse = (...argv: string[]) => parseOptions(argv);

describe('start-up options', () => {
  // yargs keeps a reference to process.env: change its keys, never the object.
  afterEach(() => { delete process.env.SCHEDULER_REST_PARALLEL; });

  it('has the documented defaults', () => {
    expect(parse()).toMatchObject({
      port: 8888, host: '127.0.0.1', executor: 'external', dispatchMode: 'thread', timeoutMs: 30_000,
      queueLimit: 256, shutdownGraceMs: 10_000, bodyLimit: '2mb', logLevel: 'info',
    });
  });

  it('reads the brief\'s command line, and every alias of the dispatch modes', () => {
    expect(parse('--port=8889', '--executor=external', '--application=process', '--parallel=4', '--timeout=2.5', '--queue-limit=3'))
      .toMatchObject({ port: 8889, dispatchMode: 'process', parallel: 4, timeoutMs: 2500, queueLimit: 3 });
    for (const [alias, mode] of [['sync', 'inline'], ['plain', 'inline'], ['function', 'inline'], ['promise', 'coroutine'], ['THREAD', 'thread']]) {
      expect(parse(`--application=${alias}`)).toMatchObject({ dispatchMode: mode });
      expect(parse('--concurrency', alias!)).toMatchObject({ dispatchMode: mode });
    }
  });

  it('reads SCHEDULER_REST_* variables and a --config file, the command line winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'options-'));
    const file = join(dir, 'gateway.json');
    writeFileSync(file, JSON.stringify({ port: 7000, parallel: 3, application: 'coroutine' }));
    process.env.SCHEDULER_REST_PARALLEL = '5';
    expect(parse(`--config=${file}`)).toMatchObject({ port: 7000, parallel: 5, dispatchMode: 'coroutine' });
    expect(parse(`--config=${file}`, '--parallel=6')).toMatchObject({ parallel: 6 });
  });

  it.each([
    [['--executor=foo'], '--executor: expected one of internal, external, got "foo"'],
    [['--application=fibers'], '--application: expected one of inline, sync, plain, function, coroutine, promise, thread, process, got "fibers"'],
    [['--parallel=0'], '--parallel: "0" is not a whole number from 1 to 256'],
    [['--parallel=1.5'], '--parallel: "1.5" is not a whole number from 1 to 256'],
    [['--port=70000'], '--port: "70000" is not a port number from 0 to 65535'],
    [['--port=abc'], '--port: "abc" is not a port number from 0 to 65535'],
    [['--timeout=0'], '--timeout: "0" is not a number of seconds from 0.1 to 3600'],
    [['--timeout=soon'], '--timeout: "soon" is not a number of seconds from 0.1 to 3600'],
    [['--queue-limit=-1'], '--queue-limit: "-1" is not a whole number from 0 to 1000000'],
    [['--history-max-days=week'], '--history-max-days: "week" is not a whole number from 1 to 3660'],
    [['--bogus'], 'unknown option --bogus (scheduler-rest --help lists them)'],
    [['--config=/nonexistent.json'], '--config: cannot read /nonexistent.json'],
  ])('refuses %j with one line naming the option and the value given', (argv, message) => {
    let thrown: unknown;
    try { parse(...argv); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(OptionsError);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});

describe('start-up option messages (#13)', () => {
  afterEach(() => { delete process.env.SCHEDULER_REST_PARALLEL; delete process.env.SCHEDULER_REST_BOGUS; });
  const message = (...argv: string[]) => {
    try { parseOptions(argv); } catch (error) { expect(error).toBeInstanceOf(OptionsError); return (error as Error).message; }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it('names the environment variable a bad value came from, with the value, never "null"', () => {
    process.env.SCHEDULER_REST_PARALLEL = 'abc';
    expect(message()).toBe('SCHEDULER_REST_PARALLEL: "abc" is not a whole number from 1 to 256');
    // The command line wins, and is then what the message names.
    expect(message('--parallel=zero')).toBe('--parallel: "zero" is not a whole number from 1 to 256');
  });

  it('names each unknown flag once, as written, and an unknown variable by its name', () => {
    expect(message('--bogus-flag=1')).toBe('unknown option --bogus-flag (scheduler-rest --help lists them)');
    expect(message('--bogus-flag', '--other-one')).toBe('unknown options --bogus-flag, --other-one (scheduler-rest --help lists them)');
    process.env.SCHEDULER_REST_BOGUS = '1';
    expect(message()).toBe('unknown option SCHEDULER_REST_BOGUS (scheduler-rest --help lists them)');
  });

  it('reads --server-timing (on by default) and --allow-trace (off by default)', () => {
    expect(parseOptions([])).toMatchObject({ serverTiming: true, allowTrace: false });
    expect(parseOptions(['--no-server-timing', '--allow-trace'])).toMatchObject({ serverTiming: false, allowTrace: true });
  });
});

describe('boolean options (#13)', () => {
  afterEach(() => { delete process.env.SCHEDULER_REST_COALESCE; });

  it('refuses a word other than true or false, which would otherwise quietly mean false', () => {
    process.env.SCHEDULER_REST_COALESCE = 'yes';
    expect(() => parseOptions([])).toThrow('SCHEDULER_REST_COALESCE: "yes" is not true or false (or use --coalesce / --no-coalesce)');
    process.env.SCHEDULER_REST_COALESCE = 'FALSE';
    expect(() => parseOptions(['--allow-trace=maybe'])).toThrow('--allow-trace: "maybe" is not true or false');
    expect(parseOptions(['--allow-trace=true'])).toMatchObject({ coalesce: false, allowTrace: true });
  });
});
