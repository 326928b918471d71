/**
 * Identities for the security tests: the private cluster's users alice and bob, tokens made the
 * way `scontrol token` makes them (HS256 with the cluster's jwt_hs256.key; claims sun, iat, exp),
 * and the unprivileged service user the gateway runs as under --auth=jwt.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { startGateway, type Gateway } from './gateway.js';

export const SERVICE_USER = 'schedrest';

export interface Account { name: string; uid: number; gid: number; home: string }

export function account(name: string): Account {
  const [, , uid, gid, , home] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid), home: home! };
}

/** The key file slurm.conf names in AuthAltParameters=jwt_key=… */
export function clusterKeyPath(): string {
  const conf = process.env.SLURM_CONF;
  if (!conf) throw new Error('SLURM_CONF is not set: eval "$(bash scripts/cluster.sh env)"');
  const match = /^AuthAltParameters=.*jwt_key=([^,\s]+)/m.exec(readFileSync(conf, 'utf8'));
  if (!match) throw new Error(`${conf} has no AuthAltParameters=jwt_key=…`);
  return match[1]!;
}

/** A copy of the cluster key that only the service user can read, as a site would install it. */
export function serviceKeyCopy(): string {
  const service = account(SERVICE_USER);
  const dir = mkdtempSync(join(tmpdir(), 'sr-key-'));
  chownSync(dir, service.uid, service.gid);
  const path = join(dir, 'jwt_hs256.key');
  writeFileSync(path, readFileSync(clusterKeyPath()), { mode: 0o600 });
  chownSync(path, service.uid, service.gid);
  return path;
}

export interface TokenOptions {
  /** Seconds from now; negative for an expired token. @default 600 */
  lifespan?: number;
  key?: Uint8Array;
  /** Claim name carrying the user. @default 'sun' */
  claim?: string;
}

export async function token(user: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = options.key ?? new Uint8Array(readFileSync(clusterKeyPath()));
  return new SignJWT({ [options.claim ?? 'sun']: user })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.lifespan ?? 600))
    .sign(key);
}

export const otherKey = () => new Uint8Array(randomBytes(32));

/** An unsigned token (alg "none"), which no verifier may accept. */
export function unsignedToken(user: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sun: user, iat: now, exp: now + 600 })}.`;
}

/** The private cluster's JWKS (public) and the RS256 key that signs for it, as an OIDC provider would. */
export function clusterJwksPath(): string {
  const match = /^AuthAltParameters=.*jwks=([^,\s]+)/m.exec(readFileSync(process.env.SLURM_CONF!, 'utf8'));
  if (!match) throw new Error('slurm.conf has no AuthAltParameters=…jwks=…');
  return match[1]!;
}

export async function rs256Token(user: string, options: { kid?: string; alg?: 'RS256' | 'ES256' } = {}): Promise<string> {
  const pem = readFileSync(clusterJwksPath().replace(/jwks\.json$/, 'jwks_rs256.pem'), 'utf8');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sun: user })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? 'schedrest-test' })
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 600)
    .sign(await importPKCS8(pem, 'RS256'));
}

/**
 * The gateway as SECURITY.md deploys it: run as the service user, --auth=jwt with its own copy of
 * the cluster's key and the cluster's JWKS, no home directory.
 */
export function startServiceGateway(executor: string, application: string, extra: string[] = []): Promise<Gateway> {
  const service = account(SERVICE_USER);
  return startGateway(
    [`--executor=${executor}`, `--application=${application}`, '--parallel=2', '--auth=jwt', `--jwt-key=${serviceKeyCopy()}`, `--jwks=${clusterJwksPath()}`, ...extra],
    { ...process.env, HOME: '/nonexistent' },
    { uid: service.uid, gid: service.gid },
  );
}

/**
 * alice's and bob's associations in slurmdbd (cluster.sh up adds them; a cluster started before
 * it did lacks them). slurmdbd's PrivateData shows a user nothing without one.
 */
export function ensureAssociations(): void {
  try {
    execFileSync('sacctmgr', ['-i', 'add', 'user', 'alice,bob', 'account=root'], { stdio: 'ignore' });
  } catch { // sacctmgr exits 1 when they exist
    const users = execFileSync('sacctmgr', ['-n', '-P', 'show', 'assoc', 'user=alice,bob', 'format=User'], { encoding: 'utf8' });
    if (!users.includes('alice') || !users.includes('bob')) throw new Error(`alice and bob have no association in slurmdbd: ${users}`);
  }
}
