/** The three workloads as autocannon request sequences, for the gateway's API and slurmrestd's. */
import type { Request } from 'autocannon';
import type { Workload } from './modes.js';

/** How one system spells the operations the workloads need. */
export interface Api {
  url: string;
  headers: Record<string, string>;
  listPath: string;
  jobPath(id: string): string;
  submitPath: string;
  submitBody(name: string): unknown;
  /** Every node (the scale scenario). */
  nodesPath: string;
  /** A filtered job list, e.g. `{ user: 'alice' }`; undefined when the API has no filters (slurmrestd 0.0.38). */
  filterPath?(filter: Record<string, string>): string;
}

const SCRIPT = '#!/bin/sh\ntrue\n';

/** `headers`: e.g. `Authorization: Bearer <token>` for a gateway under --auth=jwt. */
export function gatewayApi(url: string, headers: Record<string, string> = {}): Api {
  return {
    url,
    headers,
    listPath: '/v1/jobs',
    jobPath: (id) => `/v1/jobs/${id}`,
    submitPath: '/v1/jobs',
    submitBody: (name) => ({ script: SCRIPT, name, partition: 'debug', time_limit: 5, hold: true, working_directory: '/tmp', stdout: '/dev/null' }),
    nodesPath: '/v1/nodes',
    filterPath: (filter) => `/v1/jobs?${new URLSearchParams(filter).toString()}`,
  };
}

export function slurmrestdApi(url: string, headers: Record<string, string>): Api {
  return {
    url,
    headers,
    listPath: '/slurm/v0.0.38/jobs',
    jobPath: (id) => `/slurm/v0.0.38/job/${id}`,
    submitPath: '/slurm/v0.0.38/job/submit',
    submitBody: (name) => ({
      job: { name, partition: 'debug', time_limit: 5, hold: true, current_working_directory: '/tmp', standard_output: '/dev/null', environment: { PATH: '/bin:/usr/bin' } },
      script: SCRIPT,
    }),
    // GET /slurm/v0.0.38/jobs takes update_time only: a client wanting one user's jobs fetches them all.
    nodesPath: '/slurm/v0.0.38/nodes',
  };
}

/** Job ids the submit workload created and has not (yet) seen cancelled: the bench cancels the rest. */
export class SubmitTracker {
  readonly outstanding = new Set<string>();
  submitted = 0;
}

interface ConnectionContext { jobId?: string }

function jobIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { job_id?: unknown }).job_id;
    return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The request sequence each autocannon connection repeats.
 * - list: one GET of the whole queue;
 * - get: one GET of a job, cycling through the queued ids;
 * - submit: POST a held job, then DELETE the id it answered (kept in the connection's context).
 */
export function requestsFor(workload: Workload, api: Api, jobIds: string[], submitName: string, tracker: SubmitTracker): Request[] {
  const json = { ...api.headers, 'content-type': 'application/json' };
  switch (workload) {
    case 'list':
      return [{ method: 'GET', path: api.listPath, headers: api.headers }];
    case 'get': {
      let next = 0;
      return [{
        method: 'GET',
        headers: api.headers,
        setupRequest: (request) => ({ ...request, path: api.jobPath(jobIds[next++ % jobIds.length] as string) }),
      }];
    }
    case 'submit':
      return [
        {
          method: 'POST',
          path: api.submitPath,
          headers: json,
          body: JSON.stringify(api.submitBody(submitName)),
          onResponse: (status, body, context) => {
            const id = status >= 200 && status < 300 ? jobIdOf(body) : undefined;
            (context as ConnectionContext).jobId = id;
            if (id) { tracker.outstanding.add(id); tracker.submitted++; }
          },
        },
        {
          method: 'DELETE',
          headers: api.headers,
          // No id (the submission failed): a request for job 0 answers 4xx and counts as an error.
          setupRequest: (request, context) => ({ ...request, path: api.jobPath((context as ConnectionContext).jobId ?? '0') }),
          onResponse: (status, _body, context) => {
            const id = (context as ConnectionContext).jobId;
            if (id && status >= 200 && status < 300) tracker.outstanding.delete(id);
            (context as ConnectionContext).jobId = undefined;
          },
        },
      ];
    default: {
      const never: never = workload;
      throw new Error(`unknown workload ${String(never)}`);
    }
  }
}
