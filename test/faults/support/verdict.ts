/**
 * The end of every fault case: the ledger's invariants plus the case's own checks (gateway up,
 * exit code, …) fail together, with the ledger's summary and the gateway's own account of it.
 * With SR_FAULTS_LOG=<file>, each verdict is also appended there as one JSON line.
 */
import { appendFileSync } from 'node:fs';
import { describeReport, type Ledger, type Report } from './ledger.js';
import { diagnose, type FaultGateway } from './gateway.js';

export function expectHolds(report: Report, gateway: FaultGateway | FaultGateway[] | undefined, failures: string[] = [], ledger?: Ledger): void {
  const gateways = Array.isArray(gateway) ? gateway : [gateway];
  const all = [...failures, ...report.violations, ...emptyReplies(ledger, gateways)];
  const test = expect.getState().currentTestName ?? 'unknown case';
  if (process.env.SR_FAULTS_LOG) {
    appendFileSync(process.env.SR_FAULTS_LOG, `${JSON.stringify({
      at: new Date().toISOString(), test, pass: all.length === 0, failures: all, lost: report.lost,
      unknownCreated: report.unknownCreated, counts: report.counts, gateway: gateways.map((g) => diagnose(g, 6)),
    })}\n`);
  }
  if (all.length === 0) {
    // Not the gateway's fault, but issue #9 wants it detected and reported.
    if (report.lost.length || report.unknownCreated.length) console.warn(`${test}\n${describeReport(report)}`);
    return;
  }
  throw new Error([
    ...all.map((f) => `- ${f}`),
    '--- ledger ---', describeReport(report),
    ...gateways.map((g, i) => `--- gateway ${i + 1} ---\n${diagnose(g)}`),
  ].join('\n'));
}

/** "200" when the gateway came back; otherwise a failure line. */
export const upFailure = (up: string, when = 'after the fault'): string[] => (up === '200' ? [] : [`gateway not answering 200 ${when}: last answer ${up}`]);

/**
 * For each empty reply, what the gateway's log says about it: the gateway logs every request id
 * with its status when the handler finishes, so "no log line" means it never finished handling it
 * (closed while idle or in the accept queue, or the process ended first).
 */
function emptyReplies(ledger: Ledger | undefined, gateways: Array<FaultGateway | undefined>): string[] {
  if (!ledger) return [];
  return ledger.answers.filter((a) => a.status === 0 && a.error !== 'ECONNREFUSED').map((a) => {
    const line = a.requestId && gateways.flatMap((g) => g?.logs ?? []).find((l) => l.includes(`"requestId":"${a.requestId}"`) && l.includes('"msg":"request"'));
    const status = line ? /"status":(\d+)/.exec(line)?.[1] : undefined;
    return `(note) ${a.requestId} (${a.kind} ${a.name ?? a.path}): ${a.error} after ${a.elapsedMs} ms; ${line ? `the gateway logged it as answered ${status}` : 'the gateway never logged an answer for it'}`;
  });
}
