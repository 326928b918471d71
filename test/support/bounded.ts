/** Runs `tasks` with at most `limit` in flight; the results in the tasks' order. */
export async function bounded<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) { const i = next++; results[i] = await tasks[i]!(); }
  }));
  return results;
}
