/** One bounded load (autocannon, loopback, fixed connections and duration) and its figures. */
import autocannon, { type Request, type Result } from 'autocannon';

export interface LoadResult {
  /** Completed responses per second (any status). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** From the start of the load to its last response, s. */
  durationS: number;
}

/** Lets a caller end a load early (e.g. a memory guard): `stop` is set once the load has started. */
export interface LoadControl {
  stop?: () => void;
}

/** Bounded by `durationS` and, when given, by `maxRequests` in all (whichever comes first). */
export async function runLoad(url: string, requests: Request[], connections: number, durationS: number, maxRequests?: number, control?: LoadControl): Promise<LoadResult> {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`Expected a loopback URL, got ${url}`);
  const started = performance.now();
  let last = started;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        ...(maxRequests && { maxOverallRequests: maxRequests }),
        requests,
        // A request slower than this is a timeout, counted as an error (slurmrestd lists can take seconds).
        timeout: 60,
        // Latency of every response, errors included, so the figures describe what a client sees.
        excludeErrorStats: false,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    // autocannon's own duration ends at its next 1 s sampling tick, not when the last connection
    // finished: a run that stops at maxRequests would look up to a second longer than it was.
    instance.on('response', () => { last = performance.now(); });
    if (control) control.stop = () => instance.stop();
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (stats as { count: number }).count;
  const completed = Object.values(statusCodes).reduce((a, b) => a + b, 0) || result.requests.total;
  const measured = completed ? (last - started) / 1000 : result.duration;
  return {
    rps: measured > 0 ? completed / measured : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: completed,
    errors: result.non2xx + result.errors,
    non2xx: result.non2xx,
    statusCodes,
    durationS: measured,
  };
}
