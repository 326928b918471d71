/** #13's start-up options: metrics, compression, CORS origins, the default page size. */
import { OptionsError, parseOptions, type GatewayOptions } from '../../src/options.js';

const parse = (...argv: string[]) => parseOptions(argv) as GatewayOptions;

describe('serving options', () => {
  it('defaults: metrics on the main port, compression from 1 KiB, CORS off, whole lists', () => {
    expect(parse().http).toEqual({ metrics: 'main', metricsHost: '127.0.0.1', compressThreshold: 1024, corsOrigins: [], pageLimit: null });
  });

  it('reads each option, from the command line and the environment', () => {
    expect(parse('--metrics=9464', '--metrics-host=0.0.0.0', '--compress-threshold=0', '--cors-origins=https://a.example, http://localhost:3000', '--page-limit=50').http)
      .toEqual({ metrics: 9464, metricsHost: '0.0.0.0', compressThreshold: 0, corsOrigins: ['https://a.example', 'http://localhost:3000'], pageLimit: 50 });
    expect(parse('--metrics=OFF', '--no-compress').http).toMatchObject({ metrics: 'off', compressThreshold: null });
    expect(parse('--no-metrics').http.metrics).toBe('off');
    process.env.SCHEDULER_REST_PAGE_LIMIT = '7';
    try { expect(parse().http.pageLimit).toBe(7); } finally { delete process.env.SCHEDULER_REST_PAGE_LIMIT; }
  });

  it.each([
    [['--metrics=70000'], '--metrics: "70000" is not off, main or a port number from 1 to 65535'],
    [['--metrics=sometimes'], '--metrics: "sometimes" is not off, main or a port number from 1 to 65535'],
    [['--page-limit=1001'], '--page-limit: "1001" is not a whole number from 0 to 1000'],
    [['--compress-threshold=-1'], '--compress-threshold: "-1" is not a number of bytes'],
    [['--cors-origins=*'], '--cors-origins: expected origins such as https://portal.example.org'],
    [['--cors-origins=https://a.example/path'], 'got "https://a.example/path"'],
    [['--cors-origins=ftp://a.example'], 'got "ftp://a.example"'],
  ])('refuses %j with one line naming the option', (argv, message) => {
    let thrown: unknown;
    try { parse(...argv); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(OptionsError);
    expect((thrown as Error).message).toContain(message);
  });
});
