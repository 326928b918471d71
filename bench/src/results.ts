/** The shape of bench/results/latest.json: everything the report and the chart are made from. */
import type { Workload } from './modes.js';

/** What one load run measured of its server, the same in every scenario (queue, scale, budget). */
export interface LoadFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Peak VmRSS of the server (gateway: plus its pool's child processes), MiB. */
  peakRssMiB: number;
}

export interface RunRecord extends LoadFigures {
  mode: string;
  workload: Workload;
  connections: number;
  /** REQUEST_JOB_INFO + _SINGLE + REQUEST_JOB_USER_INFO received by slurmctld, per second (cluster-wide). */
  jobInfoRpcPerS: number;
  /** Every RPC slurmctld received, per second (cluster-wide). */
  rpcPerS: number;
  /** RPCs slurmctld received during the run, by message type (cluster-wide). */
  rpcByType: Record<string, number>;
  /** CPU time of the server (with its reaped tools and pool children) per completed request, ms. */
  serverCpuMsPerReq: number;
  /** CPU time of slurmctld per completed request, ms. */
  ctldCpuMsPerReq: number;
  /** CPU time of munged per completed request, ms (credentials for libslurm's auth/munge RPCs). */
  mungedCpuMsPerReq: number;
  /** CPU time of the bench process (autocannon, on the same cores) per completed request, ms. */
  clientCpuMsPerReq: number;
  /**
   * CPU used during the run by processes other than the bench (load generator included), the server
   * under test and the cluster's daemons, in % of the machine: other engineers' work, mostly.
   */
  othersCpuPct: number;
  /** Job records slurmctld held just before the run (all users and states). */
  queueTotal: number;
  durationS: number;
}

export interface SystemRecord {
  mode: string;
  available: boolean;
  /** Why a mode could not run (the gateway's own message). */
  message?: string;
}

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  kernel: string;
  node: string;
  loadBefore: string;
  loadAfter: string;
}

export interface BenchResults {
  date: string;
  command: string;
  machine: Machine;
  slurmVersion: string;
  jobs: number;
  /** Pending bench jobs counted before each workload (should equal `jobs`). */
  queueCounts: Record<string, { bench: number; total: number }>;
  durationS: number;
  /** Most submissions per submit+cancel run (see main.ts), or undefined when not limited. */
  submitCap?: number;
  connections: number[];
  parallel: number;
  systems: SystemRecord[];
  runs: RunRecord[];
}
