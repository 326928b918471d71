/** Combinations that cannot guarantee who a request acts as refuse to start, saying why. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../support/gateway.js';
import { serviceKeyCopy } from '../support/identity.js';

const BIN = fileURLToPath(new URL('../../bin/scheduler-rest.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, '--port=0', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });

describe('start-up refusals', () => {
  it('--auth=none only on loopback: another address exits 2 and names the fix', () => {
    const res = run(['--host=0.0.0.0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--auth=none .* loopback; --host=0\.0\.0\.0 needs --auth=jwt/);
  });

  it('--auth=none --insecure starts on any address and warns in its log', async () => {
    const gateway = await startGateway(['--host=0.0.0.0', '--insecure', '--executor=external', '--application=coroutine']);
    try {
      const warning = gateway.logs.map((l) => JSON.parse(l)).find((e) => e.level === 40);
      expect(warning?.msg).toMatch(/--insecure: anyone who can reach 0\.0\.0\.0 acts as/);
    } finally {
      await gateway.stop();
    }
  });

  it('--auth=jwt needs a key to verify tokens with', () => {
    const res = run(['--auth=jwt']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--auth=jwt needs --jwt-key .* or --jwks/);
  });

  it('--auth=jwt refuses to run as root', () => {
    const res = run(['--auth=jwt', `--jwt-key=${serviceKeyCopy()}`]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/does not run as root/);
  });
});
