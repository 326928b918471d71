/**
 * Prometheus text read with a parser package (parse-prometheus-text-format), not a regex, and
 * summed by metric and labels, so tests compare what the gateway counted with what they sent.
 */
// @ts-expect-error the package ships no types; its one export is typed below.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> }>;
}

export const parsePrometheus = parsePrometheusTextFormat as (text: string) => Family[];

/** The value of one counter or gauge sample (0 when absent), or a histogram's count, matching every given label. */
export function sample(families: Family[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  let total = 0;
  for (const m of family.metrics) {
    if (!Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) continue;
    total += Number(family.type === 'HISTOGRAM' ? m.count : m.value);
  }
  return total;
}

/**
 * How many scheduler commands of one kind a gateway has run (scheduler_rest_commands_total, any
 * outcome). A refused request must leave it where it was: proof that nothing reached Slurm, which
 * other suites submitting to the same cluster meanwhile cannot disturb.
 */
export async function commandsRun(url: string, kind: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
  return sample(parsePrometheus(await res.text()), 'scheduler_rest_commands_total', { kind });
}
