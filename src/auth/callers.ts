/**
 * Which users the gateway acts for under --auth=jwt. A valid token is not enough: a token for a
 * system account (the gateway's own service user, SlurmUser, daemon, nobody) would let a job run
 * as that account, which can read what the gateway reads (the cluster's JWT key), so such tokens
 * are refused before anything reaches Slurm, whoever signed them.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Account } from './accounts.js';

export interface CallerPolicy {
  /** Lowest uid acted for: ordinary users start here (login.defs UID_MIN). */
  minUid: number;
  /** Never acted for, whatever their uid. */
  deniedUsers: ReadonlySet<string>;
  /** The gateway's own uid, never acted for. */
  selfUid: number;
}

/** Accounts that exist on most Slurm hosts and are never a person. */
export const DEFAULT_DENIED_USERS = ['nobody', 'nfsnobody', 'slurm', 'slurmrestd', 'munge', 'mysql'] as const;
const FALLBACK_UID_MIN = 1000;

/** UID_MIN of /etc/login.defs (useradd's first ordinary uid), else 1000. */
export function loginDefsUidMin(path = '/etc/login.defs'): number {
  try {
    const match = /^\s*UID_MIN\s+(\d+)\s*$/m.exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) : FALLBACK_UID_MIN;
  } catch {
    return FALLBACK_UID_MIN;
  }
}

/** The users Slurm's own daemons run as (SlurmUser, SlurmdUser; root when unset), from slurm.conf. */
export function slurmDaemonUsers(slurmConf: string | undefined = process.env.SLURM_CONF ?? '/etc/slurm/slurm.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(slurmConf, 'utf8');
  } catch {
    return [];
  }
  const users = ['SlurmUser', 'SlurmdUser'].map((key) => new RegExp(`^\\s*${key}\\s*=\\s*([^\\s#(]+)`, 'im').exec(text)?.[1] ?? 'root');
  return [...new Set(users)];
}

export function callerPolicy(options: { minUid?: number; denyUsers?: readonly string[] } = {}): CallerPolicy {
  const self = userInfo();
  return {
    minUid: options.minUid ?? loginDefsUidMin(),
    deniedUsers: new Set([...(options.denyUsers ?? DEFAULT_DENIED_USERS), ...slurmDaemonUsers(), self.username]),
    selfUid: self.uid,
  };
}

/** Why the gateway will not act for `account`, or undefined when it will. */
export function callerProblem(account: Account, policy: CallerPolicy): string | undefined {
  if (account.uid === 0) return 'The gateway never acts as root; use an ordinary user\'s token';
  if (account.uid === policy.selfUid) return `The gateway never acts as its own service user (${account.name})`;
  if (policy.deniedUsers.has(account.name)) return `The gateway does not act for the system account ${account.name} (--deny-users)`;
  if (account.uid < policy.minUid) return `The gateway does not act for system accounts: ${account.name} has uid ${account.uid}, below --min-uid ${policy.minUid}`;
  return undefined;
}
