/** The token verifier on its own: every way a token can be wrong, and the message each gets. */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Authenticator } from '../../src/auth/tokens.js';
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

describe('Authenticator (RS256 from a JWKS)', () => {
  it('accepts a token signed by a JWKS key, refuses an unknown kid, HS256 without a key and ES256', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const auth = new Authenticator({ jwks: { keys: [jwk] } });
    const sign = (kid: string) => new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expect(auth.authenticate({ authorization: `Bearer ${await sign('k1')}` })).resolves.toMatchObject({ user: 'alice' });
    expect((await refused(auth, { authorization: `Bearer ${await sign('k2')}` })).message).toMatch(/No key in the gateway's JWKS/);
    expect((await refused(auth, { authorization: `Bearer ${await hs({ sun: 'alice' })}` })).message).toMatch(/HS256 are not accepted; this gateway accepts RS256/);
    const es = await generateKeyPair('ES256');
    const esToken = await new SignJWT({ sun: 'alice' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(es.privateKey);
    expect((await refused(auth, { authorization: `Bearer ${esToken}` })).message).toMatch(/cannot verify ES tokens/);
  });

  it('needs at least one way to verify', () => {
    expect(() => new Authenticator({})).toThrow(/--jwt-key .* or --jwks/);
  });
});
