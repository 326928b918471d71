/**
 * Accounts, users, associations and QOS (issue #11): how their values read, as sacctmgr prints
 * them (`-n -P`), and the order both executors answer in. The internal executor formats slurmdb's
 * records the way sacctmgr prints them (TRES by name, flags by name) and reads them with these same
 * rules, so the two answer alike. Pure.
 */
import { GatewayError } from '../errors.js';
import type { AccountInfo, AdminLevel, Association, Qos, Tres, UserInfo } from '../model.js';
import { parseTres } from './accounting.js';

/** Text as sacctmgr printed it, or null when empty (names and descriptions are kept as they are: "None" is a name). */
const orNull = (value: string | undefined): string | null => {
  const v = (value ?? '').trim();
  return v === '' ? null : v;
};

/**
 * sacctmgr's time limits (MaxWall), from mins2time_str(): "D-HH:MM:SS" or "HH:MM:SS" (a number of
 * minutes, so the seconds are 00); empty (NO_VAL, INFINITE) or UNLIMITED: null. Minutes.
 */
export function wallMinutes(value: string | undefined): number | null {
  const text = orNull(value);
  if (text === null) return null;
  const m = /^(?:(\d+)-)?(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) return null;
  const [, days, hours, minutes, seconds] = m;
  return Number(days ?? 0) * 1440 + Number(hours) * 60 + Number(minutes) + Math.floor(Number(seconds) / 60);
}

/** Minutes as sacctmgr prints a time limit (mins2time_str: "D-HH:MM:SS", "HH:MM:SS"). */
export function minutesText(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(minutes / 1440);
  const clock = `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}:00`;
  return days ? `${days}-${clock}` : clock;
}

/** A count limit (MaxJobs, GrpJobs, Priority, ...): empty when unset; null then. */
export function countLimit(value: string | undefined): number | null {
  const text = orNull(value);
  return text !== null && /^\d+$/.test(text) ? Number(text) : null;
}

/** A TRES limit, `cpu=4,mem=1.50G,gres/gpu=1` as sacctmgr prints it: parseTres. */
export function tresLimit(value: string | undefined): Tres | null {
  return parseTres(value);
}

const MEMORY_UNITS = ['M', 'G', 'T', 'P', 'E'];

/**
 * Memory in MiB as sacctmgr prints it in a TRES limit: convert_num_unit() with
 * CONVERT_NUM_UNIT_EXACT, from M upwards while the number is at least 1024 and a multiple of 512,
 * so the result is always exact (seen on 22.05.8: 1536 -> "1.50G", 1500 -> "1500M", 2048 -> "2G",
 * 1049600 -> "1025G", 1048576 -> "1T").
 */
export function sacctmgrMemory(mib: number): string {
  let n = mib;
  let unit = 0;
  while (n >= 1024 && n % 512 === 0 && unit < MEMORY_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return Number.isInteger(n) ? `${n}${MEMORY_UNITS[unit]}` : `${n.toFixed(2)}${MEMORY_UNITS[unit]}`;
}

/** A TRES string by name with memory in MiB (`cpu=2,mem=1536`, slurmdb's) as sacctmgr prints it (`cpu=2,mem=1.50G`). */
export function tresAsSacctmgr(value: string | null): string {
  return (value ?? '').split(',').filter(Boolean).map((item) => {
    const at = item.indexOf('=');
    if (at < 0 || item.slice(0, at) !== 'mem' || !/^\d+$/.test(item.slice(at + 1))) return item;
    return `mem=${sacctmgrMemory(Number(item.slice(at + 1)))}`;
  }).join(',');
}

/** A comma list of names (an association's QOS, a QOS's flags), sorted; empty: []. */
export function nameList(value: string | undefined): string[] {
  return (orNull(value) ?? '').split(',').map((s) => s.trim()).filter(Boolean).sort();
}

/** sacctmgr's AdminLevel: slurmdb_admin_level_str() ("None", "Operator", "Administrator", "Not Set"). */
export function adminLevel(value: string | undefined): AdminLevel {
  const text = (value ?? '').trim().toLowerCase();
  return text === 'operator' || text === 'administrator' ? text : 'none';
}

/** slurmdb_admin_level_t (SLURMDB_ADMIN_NOTSET 0, NONE 1, OPERATOR 2, SUPER_USER 3) as sacctmgr prints it. */
export const ADMIN_LEVEL_TEXT: readonly string[] = ['Not Set', 'None', 'Operator', 'Administrator'];

/**
 * slurmdb_qos_flags_str() of 22.05 (src/common/slurmdb_defs.c), bit by bit in its order:
 * QOS_FLAG_* of slurmdb.h. QOS_FLAG_NOTSET (0x10000000) prints "NotSet" alone.
 */
export const QOS_FLAG_TEXT: ReadonlyArray<readonly [number, string]> = [
  [0x20000000, 'Add'], [0x40000000, 'Remove'],
  [1 << 6, 'DenyOnLimit'], [1 << 3, 'EnforceUsageThreshold'], [1 << 4, 'NoReserve'],
  [1 << 1, 'PartitionMaxNodes'], [1 << 0, 'PartitionMinNodes'], [1 << 7, 'OverPartQOS'],
  [1 << 2, 'PartitionTimeLimit'], [1 << 5, 'RequiresReservation'], [1 << 8, 'NoDecay'],
  [1 << 9, 'UsageFactorSafe'],
];

/** A QOS's flags as sacctmgr prints them (comma-joined), from slurmdb's bits. */
export function qosFlagsText(flags: number): string {
  if (flags & 0x10000000) return 'NotSet';
  return QOS_FLAG_TEXT.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name).join(',');
}

/**
 * A user name as slurmdbd stores it: sacctmgr lowercases the names it is given (its default
 * user_case_norm), so both executors ask for the lowercased name.
 */
export function accountingUserName(name: string): string {
  return name.toLowerCase();
}

export const userNotFound = (name: string) => new GatewayError('user_not_found', `Accounting knows no user ${name}`, { details: { user: name } });

/** One association row before it is read: the text sacctmgr prints for each field. */
export interface AssociationText {
  cluster: string;
  account: string;
  partition: string;
  qos: string;
  default_qos: string;
  max_wall: string;
  max_tres_per_job: string;
  grp_tres: string;
  max_jobs: string;
  max_submit_jobs: string;
  grp_jobs: string;
}

export function toAssociation(a: AssociationText): Association {
  return {
    cluster: a.cluster,
    account: a.account,
    partition: orNull(a.partition),
    qos: nameList(a.qos),
    default_qos: orNull(a.default_qos),
    max_wall: wallMinutes(a.max_wall),
    max_tres_per_job: tresLimit(a.max_tres_per_job),
    grp_tres: tresLimit(a.grp_tres),
    max_jobs: countLimit(a.max_jobs),
    max_submit_jobs: countLimit(a.max_submit_jobs),
    grp_jobs: countLimit(a.grp_jobs),
  };
}

export interface QosText {
  name: string;
  priority: string;
  max_wall: string;
  max_tres_per_job: string;
  max_tres_per_user: string;
  max_jobs_per_user: string;
  max_submit_jobs_per_user: string;
  grp_tres: string;
  flags: string;
}

export function toQos(q: QosText): Qos {
  return {
    name: q.name,
    priority: countLimit(q.priority),
    max_wall: wallMinutes(q.max_wall),
    max_tres_per_job: tresLimit(q.max_tres_per_job),
    max_tres_per_user: tresLimit(q.max_tres_per_user),
    max_jobs_per_user: countLimit(q.max_jobs_per_user),
    max_submit_jobs_per_user: countLimit(q.max_submit_jobs_per_user),
    grp_tres: tresLimit(q.grp_tres),
    flags: nameList(q.flags).filter((f) => f !== 'NotSet'),
  };
}

/** One account and its associations' parents, as both executors find them. */
export interface AccountText {
  name: string;
  description: string;
  organization: string;
  /** The account's own associations (no user): cluster and parent account. */
  parents: Array<{ cluster: string; parent: string }>;
}

/** The parent is that of the account's own association, on the first cluster by name (one cluster: its). */
export function toAccount(a: AccountText): AccountInfo {
  const own = [...a.parents].sort((x, y) => x.cluster.localeCompare(y.cluster))[0];
  return {
    name: a.name,
    description: orNull(a.description),
    organization: orNull(a.organization),
    parent: own ? orNull(own.parent) : null,
  };
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const text = (s: string | null) => s ?? '';

export const sortAccounts = (accounts: AccountInfo[]) => [...accounts].sort(byName);
export const sortQos = (qos: Qos[]) => [...qos].sort(byName);

/** A user and her associations, by cluster, account, then partition (any partition first). */
export function toUser(name: string, defaultAccount: string, level: string, associations: Association[]): UserInfo {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    name,
    default_account: orNull(defaultAccount),
    admin_level: adminLevel(level),
    associations: [...associations].sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.account, b.account) || cmp(text(a.partition), text(b.partition))),
  };
}
