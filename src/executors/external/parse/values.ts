/** The shape of delimited tool output: records of fields, checked. */

/** Splits delimited tool output into records of fields, checking every record's width. */
export function records(stdout: string, fieldSep: string, recordSep: string, width: number, tool: string): string[][] {
  const out: string[][] = [];
  for (const chunk of stdout.split(recordSep)) {
    const record = chunk.replace(/^\n/, '');
    if (record.trim() === '') continue;
    const fields = record.split(fieldSep);
    if (fields.length !== width) {
      throw new UnreadableOutput(`${tool} printed a record with ${fields.length} fields, expected ${width}`);
    }
    out.push(fields);
  }
  return out;
}

/** Output that does not have the shape we asked the tool for. */
export class UnreadableOutput extends Error {
  override name = 'UnreadableOutput';
}
