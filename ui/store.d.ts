/** Types of ./store.js for the unit tests (the page loads the .js as it is). */
export interface StoredJob { job_id: number; state: string; [field: string]: unknown }
export const FINISHED_STATES: string[];
export function isFinished(job: StoredJob): boolean;
export class JobStore {
  jobs: Map<string, StoredJob>;
  version: number;
  replace(list: StoredJob[]): void;
  get(id: number | string): StoredJob | undefined;
  upsert(job: StoredJob): void;
  apply(event: unknown): boolean;
  values(): StoredJob[];
}
export const SORT_KEYS: Record<string, (job: StoredJob) => unknown>;
export interface JobQuery { state?: string; user?: string; partition?: string; search?: string; sort?: string; descending?: boolean; page?: number; pageSize?: number }
export function queryJobs(jobs: StoredJob[], query?: JobQuery): { total: number; page: number; pages: number; rows: StoredJob[] };
export function distinct(jobs: StoredJob[], field: string): string[];
