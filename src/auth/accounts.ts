/**
 * Local accounts, looked up the way Slurm does (NSS: `getent passwd`, so LDAP/SSSD users count),
 * cached for a minute. Node has no getpwnam(); the internal executor uses the binding's own.
 */
import { execa, execaSync } from 'execa';
import type { Account } from '../slurm/identity.js';

export type { Account } from '../slurm/identity.js';

const TTL_MS = 60_000;
const cache = new Map<string, { account: Account | null; at: number }>();
/** getent's exit status 2: the key was not found. Anything else non-zero is a failure. */
const NOT_FOUND = 2;

function parse(line: string): Account | null {
  const [name, , uid, gid, , home] = line.trim().split(':');
  if (!name || uid === undefined || gid === undefined || home === undefined) return null;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

function remember(key: string, account: Account | null): Account | null {
  cache.set(key, { account, at: Date.now() });
  if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
  return account;
}

function cached(key: string): Account | null | undefined {
  const hit = cache.get(key);
  return hit && Date.now() - hit.at < TTL_MS ? hit.account : undefined;
}

function settle(key: string, result: { exitCode?: number; stdout: string; stderr: string }): Account | null {
  if (result.exitCode === 0) return remember(key, parse(result.stdout));
  if (result.exitCode === NOT_FOUND) return remember(key, null);
  throw new Error(`getent passwd ${key} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
}

const OPTIONS = { reject: false, timeout: 5_000, env: { LC_ALL: 'C' } } as const;

/** The account named `name` (or a numeric uid), null when there is none. */
export async function lookupAccount(name: string): Promise<Account | null> {
  const hit = cached(name);
  if (hit !== undefined) return hit;
  return settle(name, await execa('getent', ['passwd', '--', name], OPTIONS));
}

export function lookupAccountSync(name: string): Account | null {
  const hit = cached(name);
  if (hit !== undefined) return hit;
  return settle(name, execaSync('getent', ['passwd', '--', name], OPTIONS));
}

const groupCache = new Map<string, { groups: number[]; at: number }>();

/**
 * The gids of `name`'s groups, primary and supplementary, as the kernel would give a login of
 * theirs (NSS: `id -G`), cached like accounts.
 * @throws Error when they cannot be looked up.
 */
export async function lookupGroups(name: string): Promise<number[]> {
  const hit = groupCache.get(name);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.groups;
  const result = await execa('id', ['-G', '--', name], OPTIONS);
  if (result.exitCode !== 0) throw new Error(`id -G ${name} failed (exit ${result.exitCode}): ${String(result.stderr).trim()}`);
  const groups = String(result.stdout).trim().split(/\s+/).filter(Boolean).map(Number);
  groupCache.set(name, { groups, at: Date.now() });
  if (groupCache.size > 10_000) groupCache.delete(groupCache.keys().next().value!);
  return groups;
}
