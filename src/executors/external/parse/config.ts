/** `scontrol show config`: "Key = Value" lines. Pure. */
export function parseConfig(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([A-Za-z][A-Za-z0-9_]*(?:\[\d+\])?)\s*=\s?(.*)$/.exec(line);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

/** `scontrol ping`: "Slurmctld(primary) at host is UP" per controller; reachable when any is UP. */
export function parsePing(stdout: string): boolean {
  return /\bis UP\b/.test(stdout);
}
