/**
 * The gateway under `--auth=jwt`, as SECURITY.md deploys it and as the security tests run it
 * (test/support/identity.ts): as the unprivileged service user `schedrest`, with its own copy of
 * the cluster's jwt_hs256.key, every request carrying an ordinary user's token. The user is alice
 * (cluster.sh up creates her, with a Slurm association); her token comes from
 * `scontrol token username=alice`, run as root, as slurmrestd's comes for root.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from './cluster.js';
import { run } from './exec.js';

/** The service user the gateway runs as under --auth=jwt (the gateway refuses root there). */
export const SERVICE_USER = 'schedrest';
/** The user every request acts for under --auth=jwt. */
export const JWT_USER = 'alice';

export interface Account { name: string; uid: number; gid: number }

export interface JwtSetup {
  /** The user the token names (alice). */
  user: string;
  /** Her token, as `Authorization: Bearer` carries it. */
  token: string;
  /** The headers every request to a +jwt gateway carries. */
  headers: Record<string, string>;
  /** The gateway's copy of the cluster key, readable by the service user only. */
  keyPath: string;
  /** The service user the gateway is spawned as. */
  service: Account;
  /** Removes the key copy. */
  dispose(): void;
}

export async function account(name: string): Promise<Account> {
  const { stdout } = await run('getent', ['passwd', name]);
  const [, , uid, gid] = stdout.trim().split(':');
  if (uid === undefined || gid === undefined) throw new Error(`getent passwd ${name} printed ${JSON.stringify(stdout.trim())}`);
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** The key file slurm.conf names in AuthAltParameters=jwt_key=… */
export function clusterKeyPath(cluster: Cluster): string {
  const conf = cluster.env.SLURM_CONF as string;
  const match = /^AuthAltParameters=.*jwt_key=([^,\s]+)/m.exec(readFileSync(conf, 'utf8'));
  if (!match) throw new Error(`${conf} has no AuthAltParameters=…jwt_key=…: the cluster does not accept JWTs`);
  return match[1] as string;
}

/** A JWT for `user` from slurmctld's key (`scontrol token`, as root). */
export async function userToken(cluster: Cluster, user: string, lifespanS: number): Promise<string> {
  const { stdout } = await run('scontrol', ['token', `username=${user}`, `lifespan=${lifespanS}`], { env: cluster.env });
  const m = /SLURM_JWT=(\S+)/.exec(stdout);
  if (!m) throw new Error(`scontrol token printed no SLURM_JWT: ${stdout.trim()}`);
  return m[1] as string;
}

/** The service user's own copy of the key (0600, in a 0700 directory of theirs), and alice's token. */
export async function setUpJwt(cluster: Cluster, lifespanS: number): Promise<JwtSetup> {
  const service = await account(SERVICE_USER);
  await account(JWT_USER); // exists, or this says which user is missing (cluster.sh up creates both)
  const token = await userToken(cluster, JWT_USER, lifespanS);
  const dir = mkdtempSync(join(tmpdir(), 'srbench-key-'));
  const keyPath = join(dir, 'jwt_hs256.key');
  writeFileSync(keyPath, readFileSync(clusterKeyPath(cluster)), { mode: 0o600 });
  chownSync(keyPath, service.uid, service.gid);
  chownSync(dir, service.uid, service.gid);
  return {
    user: JWT_USER, token, headers: { authorization: `Bearer ${token}` }, keyPath, service,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
