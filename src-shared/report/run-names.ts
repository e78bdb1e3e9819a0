/**
 * Each run's name where runs are shown together, with " #id" after names that more than one of
 * them carries: a re-run keeps its original's name, and a legend or table of the two would
 * otherwise show one name twice (and ECharts one legend entry for both lines).
 */
export function distinctRunNames(runs: ReadonlyArray<{ id: number; name: string }>): Map<number, string> {
  const uses = new Map<string, number>();
  for (const { name } of runs) uses.set(name, (uses.get(name) ?? 0) + 1);
  return new Map(runs.map(({ id, name }) => [id, uses.get(name)! > 1 ? `${name} #${id}` : name]));
}
