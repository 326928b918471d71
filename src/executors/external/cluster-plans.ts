/**
 * Meaning, for the cluster itself: ping, cluster.info, nodes, partitions, reservations and licenses as Slurm's tools (see
 * plans.ts for how a plan runs).
 */
import { GatewayError } from '../../errors.js';
import type { ClusterInfo, License, Node, Partition, Ping, Reservation } from '../../model.js';
import { NODE_FIELDS, longFormat } from './formats.js';
import type { Invocation, RunResult } from './invocation.js';
import { parseConfig, parsePing } from './parse/config.js';
import { parseNodeDetails, parseNodes } from './parse/nodes.js';
import { parseLicenses, parseReservations } from './parse/reservations.js';
import { parsePartitions } from './parse/partitions.js';
import { parseSdiag } from './parse/sdiag.js';
import { check, hasError } from './stderr.js';
import { nodeNamed, noSuchNode } from '../../slurm/resources.js';

type Plan<R> = Generator<Invocation, R, RunResult>;

/** What sinfo does not print (load, GRES, TRES, address, OS, boot times): `scontrol --details show node`. */
const nodeDetails = (names: string[]): Invocation => ({ tool: 'scontrol', args: ['--details', '--oneliner', 'show', 'node', ...names] });

export function* listNodes(): Plan<Node[]> {
  const result = yield { tool: 'sinfo', args: ['--noheader', '--Node', `--Format=${longFormat(NODE_FIELDS)}`] };
  const rows = check(result, 'Listing nodes failed').stdout;
  const details = check(yield nodeDetails([]), 'Listing nodes failed').stdout;
  return parseNodes(rows, parseNodeDetails(details));
}

export function* getNode(name: string): Plan<Node> {
  const result = yield { tool: 'sinfo', args: ['--noheader', '--Node', '--nodes', name, `--Format=${longFormat(NODE_FIELDS)}`] };
  if (/Invalid node name|not found|Unable to parse/i.test(result.stderr)) throw noSuchNode(name);
  const rows = check(result, `Reading node ${name} failed`).stdout;
  nodeNamed(parseNodes(rows), name);
  const details = check(yield nodeDetails([name]), `Reading node ${name} failed`).stdout;
  return nodeNamed(parseNodes(rows, parseNodeDetails(details)), name);
}

export function* listPartitions(): Plan<Partition[]> {
  const result = yield { tool: 'scontrol', args: ['--oneliner', 'show', 'partition'] };
  return parsePartitions(check(result, 'Listing partitions failed').stdout);
}

export function* getPartition(name: string): Plan<Partition> {
  const result = yield { tool: 'scontrol', args: ['--oneliner', 'show', 'partition', name] };
  if (/not found|Invalid partition name/i.test(result.stderr + result.stdout)) throw new GatewayError('partition_not_found', `No partition ${name}`);
  const partition = parsePartitions(check(result, `Reading partition ${name} failed`).stdout).find((p) => p.name === name);
  if (!partition) throw new GatewayError('partition_not_found', `No partition ${name}`);
  return partition;
}

export function* listReservations(): Plan<Reservation[]> {
  const result = yield { tool: 'scontrol', args: ['--oneliner', 'show', 'reservation'] };
  return parseReservations(check(result, 'Listing reservations failed').stdout);
}

export function* getReservation(name: string): Plan<Reservation> {
  const result = yield { tool: 'scontrol', args: ['--oneliner', 'show', 'reservation', name] };
  // "Reservation <name> not found", exit 1.
  if (/^Reservation .* not found$/m.test(result.stderr + result.stdout)) throw new GatewayError('reservation_not_found', `No reservation ${name}`);
  const reservation = parseReservations(check(result, `Reading reservation ${name} failed`).stdout).find((r) => r.name === name);
  if (!reservation) throw new GatewayError('reservation_not_found', `No reservation ${name}`);
  return reservation;
}

export function* listLicenses(): Plan<License[]> {
  const result = yield { tool: 'scontrol', args: ['--oneliner', 'show', 'licenses'] };
  return parseLicenses(check(result, 'Listing licenses failed').stdout);
}

export function* ping(): Plan<Ping> {
  const version = yield { tool: 'scontrol', args: ['--version'] };
  const pinged = yield { tool: 'scontrol', args: ['ping'] };
  const reachable = parsePing(pinged.stdout);
  let cluster: string | null = null;
  if (reachable) {
    const config = yield { tool: 'scontrol', args: ['show', 'config'] };
    if (!hasFailed(config)) cluster = parseConfig(config.stdout).ClusterName ?? null;
  }
  return { cluster, slurm_version: parseVersion(version.stdout), controller_reachable: reachable };
}

export function* clusterInfo(): Plan<ClusterInfo> {
  const config = parseConfig(check(yield { tool: 'scontrol', args: ['show', 'config'] }, 'Reading the configuration failed').stdout);
  const sdiag = check(yield { tool: 'sdiag', args: [] }, 'Reading controller statistics failed');
  return {
    name: config.ClusterName ?? '',
    slurm_version: config.SLURM_VERSION ?? '',
    controllers: Object.keys(config).filter((k) => /^SlurmctldHost\[\d+\]$/.test(k)).map((k) => config[k]!),
    statistics: parseSdiag(sdiag.stdout),
  };
}

function hasFailed(result: RunResult): boolean {
  return result.exitCode !== 0;
}

function parseVersion(stdout: string): string | null {
  return /slurm(?:-wlm)?\s+(\d\S*)/i.exec(stdout)?.[1] ?? null;
}
