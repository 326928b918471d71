/** The token verifier on its own: every way a token can be wrong, and the message each gets. */
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authenticator, CLOCK_SKEW_S } from '../../src/auth/jwt.js';
import { callerPolicy, DEFAULT_DENIED_USERS, loginDefsUidMin, slurmDaemonUsers } from '../../src/auth/callers.js';
import { GatewayError } from '../../src/errors.js';

const key = new Uint8Array(randomBytes(32));
const now = () => Math.floor(Date.now() / 1000);

async function hs(claims: Record<string, unknown>, options: { alg?: string; key?: Uint8Array; exp?: number | null } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(now());
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 600);
  return jwt.sign(options.key ?? key);
}

async function refused(auth: Authenticator, headers: Record<string, string>): Promise<GatewayError> {
  try {
    await auth.authenticate(headers);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('accepted');
}

describe('Authenticator (HS256, as scontrol token issues)', () => {
  const auth = new Authenticator({ hs256Key: key });

  it('accepts a Bearer token and the slurmrestd headers, naming the token user', async () => {
    const token = await hs({ sun: 'alice' });
    await expect(auth.authenticate({ authorization: `Bearer ${token}` })).resolves.toEqual({ user: 'alice', token });
    await expect(auth.authenticate({ 'x-slurm-user-token': token, 'x-slurm-user-name': 'alice' })).resolves.toEqual({ user: 'alice', token });
    await expect(auth.authenticate({ authorization: `bearer ${token}` })).resolves.toMatchObject({ user: 'alice' });
    // Slurm reads "username" when there is no "sun".
    await expect(auth.authenticate({ authorization: `Bearer ${await hs({ username: 'bob' })}` })).resolves.toMatchObject({ user: 'bob' });
  });

  it.each([
    ['no header', {}, 401, /token is required/],
    ['an empty Bearer', { authorization: 'Bearer ' }, 401, /must be "Bearer <token>"/],
    ['Basic', { authorization: 'Basic YWxpY2U6eA==' }, 401, /must be "Bearer <token>"/],
    ['not a JWT', { authorization: 'Bearer abc' }, 401, /not a JWT/],
    ['a huge token', { authorization: `Bearer ${'a'.repeat(9000)}` }, 401, /longer than 8192/],
  ])('refuses %s', async (_name, headers, status, message) => {
    const error = await refused(auth, headers as Record<string, string>);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
  });

  it('refuses alg none, other algorithms, other keys, expired and exp-less tokens, saying which', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sun: 'alice', exp: now() + 60 })).toString('base64url')}.`;
    const cases: Array<[string, RegExp]> = [
      [unsigned, /alg "none"/],
      [await hs({ sun: 'alice' }, { alg: 'HS384' }), /HS384 are not accepted; this gateway accepts HS256/],
      [await hs({ sun: 'alice' }, { key: new Uint8Array(randomBytes(32)) }), /signature does not verify/],
      [await hs({ sun: 'alice' }, { exp: now() - 10 }), /expired at \d{4}-\d\d-\d\dT/],
      [await hs({ sun: 'alice' }, { exp: null }), /"exp" claim is invalid: missing/],
      [await hs({}), /names no user/],
      [await hs({ sun: '../etc' }), /not a valid user name/],
    ];
    for (const [token, message] of cases) {
      const error = await refused(auth, { authorization: `Bearer ${token}` });
      expect({ status: error.status, message: error.message }).toEqual({ status: 401, message: expect.stringMatching(message) });
    }
  });

  it('refuses two different tokens, a name that is not the token user, root and unknown users', async () => {
    const alice = await hs({ sun: 'alice' });
    expect((await refused(auth, { authorization: `Bearer ${alice}`, 'x-slurm-user-token': await hs({ sun: 'bob' }) })).message).toMatch(/different tokens/);
    expect((await refused(auth, { 'x-slurm-user-token': alice, 'x-slurm-user-name': 'bob' })).message).toMatch(/token is for user alice/);
    const root = await refused(auth, { authorization: `Bearer ${await hs({ sun: 'root' })}` });
    expect([root.status, root.message]).toEqual([403, expect.stringMatching(/never acts as root/)]);
    const nobody = await refused(auth, { authorization: `Bearer ${await hs({ sun: 'no-such-user-q' })}` });
    expect([nobody.status, nobody.message]).toEqual([403, expect.stringMatching(/no account/)]);
  });
});

describe('Authenticator: a token verified once (#14), its other checks every time', () => {
  const auth = new Authenticator({ hs256Key: key });
  afterEach(() => { jest.restoreAllMocks(); jest.useRealTimers(); });

  it('verifies a token\'s signature at its first use only', async () => {
    const token = await hs({ sun: 'alice' });
    const verify = jest.spyOn(globalThis.crypto.subtle, 'verify');
    for (let i = 0; i < 3; i++) await expect(auth.authenticate({ authorization: `Bearer ${token}` })).resolves.toEqual({ user: 'alice', token });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once it expires, for another X-SLURM-USER-NAME, and with another signature', async () => {
    const token = await hs({ sun: 'alice' }, { exp: now() + 2 });
    await expect(auth.authenticate({ authorization: `Bearer ${token}` })).resolves.toMatchObject({ user: 'alice' });
    expect((await refused(auth, { 'x-slurm-user-token': token, 'x-slurm-user-name': 'bob' })).message).toMatch(/token is for user alice/);
    const [header, payload] = token.split('.');
    expect((await refused(auth, { authorization: `Bearer ${header}.${payload}.${'A'.repeat(43)}` })).message).toMatch(/signature does not verify/);
    // The clock only (jose reads new Date(), the cache Date.now()): 3 s on, past the token's exp.
    jest.useFakeTimers({ now: Date.now() + 3_000, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const expired = await refused(auth, { authorization: `Bearer ${token}` });
    expect([expired.status, expired.message]).toEqual([401, expect.stringMatching(/expired at/)]);
  });

  it('applies the caller policy to a remembered token', async () => {
    const token = await hs({ sun: 'bob' });
    const strict = new Authenticator({ hs256Key: key }, { ...callerPolicy({ denyUsers: ['bob'] }) });
    // The first use verifies and remembers the token, the second finds it: both refused.
    await expect(strict.authenticate({ authorization: `Bearer ${token}` })).rejects.toThrow(/system account bob/);
    await expect(strict.authenticate({ authorization: `Bearer ${token}` })).rejects.toThrow(/system account bob/);
  });
});

describe('Authenticator: accounts no token may act as (issue #9)', () => {
  // As deployed: the gateway runs as the service user schedrest; accounts as on the private cluster.
  const service = execFileSync('getent', ['passwd', 'schedrest'], { encoding: 'utf8' }).split(':');
  const auth = new Authenticator({ hs256Key: key }, { ...callerPolicy(), selfUid: Number(service[2]), deniedUsers: new Set([...DEFAULT_DENIED_USERS, 'schedrest']) });

  it.each([
    ['the gateway\'s own service user', 'schedrest', /never acts as its own service user|system account schedrest/],
    ['daemon (uid 1)', 'daemon', /below --min-uid 1000/],
    ['nobody (uid 65534, above UID_MIN)', 'nobody', /system account nobody/],
    ['slurm (Debian gives it uid 64030)', 'slurm', /system account slurm/],
    ['root', 'root', /never acts as root/],
  ])('refuses a validly signed token for %s with 403', async (_what, user, message) => {
    const error = await refused(auth, { authorization: `Bearer ${await hs({ sun: user })}` });
    expect([error.status, error.message]).toEqual([403, expect.stringMatching(message)]);
  });

  it('refuses a numeric user name that resolves to a system account', async () => {
    const error = await refused(auth, { authorization: `Bearer ${await hs({ sun: '1' })}` });
    expect([error.status, error.message]).toEqual([403, expect.stringMatching(/daemon has uid 1, below --min-uid/)]);
  });

  it('refuses a token issued in the future beyond the clock skew, accepts one within it', async () => {
    const future = (seconds: number) => new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now() + seconds).setExpirationTime(now() + seconds + 600).sign(key);
    const error = await refused(auth, { authorization: `Bearer ${await future(10 * 3600)}` });
    expect([error.status, error.message]).toEqual([401, expect.stringMatching(/issued in the future/)]);
    await expect(auth.authenticate({ authorization: `Bearer ${await future(CLOCK_SKEW_S - 5)}` })).resolves.toMatchObject({ user: 'alice' });
  });

  it('honours --min-uid and --deny-users', async () => {
    const strict = new Authenticator({ hs256Key: key }, { ...callerPolicy({ minUid: 1002, denyUsers: ['bob'] }) });
    expect((await refused(strict, { authorization: `Bearer ${await hs({ sun: 'alice' })}` })).message).toMatch(/alice has uid 1001, below --min-uid 1002/);
    expect((await refused(strict, { authorization: `Bearer ${await hs({ sun: 'bob' })}` })).message).toMatch(/system account bob/);
  });
});

describe('callerPolicy defaults', () => {
  it('reads UID_MIN from login.defs and Slurm\'s daemon users from slurm.conf', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-policy-'));
    writeFileSync(join(dir, 'login.defs'), '# comment\nUID_MIN\t\t\t 2000\nUID_MAX 60000\n');
    writeFileSync(join(dir, 'slurm.conf'), 'ClusterName=x\nSlurmUser=slurm # the daemon user\n');
    expect(loginDefsUidMin(join(dir, 'login.defs'))).toBe(2000);
    expect(loginDefsUidMin(join(dir, 'missing'))).toBe(1000);
    expect(slurmDaemonUsers(join(dir, 'slurm.conf'))).toEqual(['slurm', 'root']);
  });
});

describe('Authenticator (RS256 from a JWKS)', () => {
  it('accepts a token signed by a JWKS key, refuses an unknown kid, HS256 without a key and ES256', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const auth = new Authenticator({ jwks: { keys: [jwk] } });
    const sign = (kid: string) => new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expect(auth.authenticate({ authorization: `Bearer ${await sign('k1')}` })).resolves.toMatchObject({ user: 'alice' });
    expect((await refused(auth, { authorization: `Bearer ${await sign('k2')}` })).message).toMatch(/No key in the gateway's JWKS/);
    // slurmctld drops the connection of an RS256 token without a kid: refused here with a reason.
    const kidless = await new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const noKid = await refused(auth, { authorization: `Bearer ${kidless}` });
    expect([noKid.status, noKid.message]).toEqual([401, expect.stringMatching(/must name their key \("kid"/)]);
    expect((await refused(auth, { authorization: `Bearer ${await hs({ sun: 'alice' })}` })).message).toMatch(/HS256 are not accepted; this gateway accepts RS256/);
    const es = await generateKeyPair('ES256');
    const esToken = await new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(es.privateKey);
    expect((await refused(auth, { authorization: `Bearer ${esToken}` })).message).toMatch(/cannot verify ES tokens/);
  });

  it('needs at least one way to verify', () => {
    expect(() => new Authenticator({})).toThrow(/--jwt-key .* or --jwks/);
  });
});
