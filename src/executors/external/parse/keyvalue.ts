/**
 * `scontrol --oneliner show …` lines: "Key=Value Key=Value …". Values of the keys we read hold
 * no spaces; a key is a word followed by "=" at the start or after a space. `firstWins`: a key seen
 * again later (inside a free-text value printed after it, such as a node's Reason) does not
 * replace the first.
 */
export function parseKeyValues(line: string, { firstWins = false } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /(?:^|\s)([A-Za-z][A-Za-z0-9_:/]*)=/g;
  const marks: Array<{ key: string; start: number; end: number }> = [];
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) marks.push({ key: m[1]!, start: m.index, end: pattern.lastIndex });
  marks.forEach((mark, i) => {
    const next = marks[i + 1];
    if (firstWins && Object.hasOwn(out, mark.key)) return;
    out[mark.key] = line.slice(mark.end, next ? next.start : undefined).trim();
  });
  return out;
}
