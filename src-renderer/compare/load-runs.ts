import type { RunRecord } from '../../src-shared/api/records.js';
import type { ReportView } from '../../src-shared/config/presets.js';
import { viewOfExperiment } from '../../src-shared/report/build-view.js';
import { api } from '../api/index.js';

export interface ComparedRuns {
  runs: RunRecord[];
  /** What is being compared, in words. */
  title: string;
  /** Runs asked for that no longer exist (deleted since they were selected). */
  missing: Array<{ id: number; reason: string }>;
  /** The dashboard view of the compared experiment; null for a selection of runs. */
  view: ReportView | null;
}

export type CompareSource = { kind: 'runs'; ids: number[] } | { kind: 'experiment'; id: number };

/** Reads the compare source from the page's query: ?runs=1,2,3 or ?experiment=7. */
export function compareSource(query: Record<string, unknown>): CompareSource | null {
  const experiment = Number(query.experiment);
  if (Number.isInteger(experiment) && experiment > 0) return { kind: 'experiment', id: experiment };
  if (typeof query.runs !== 'string') return null;
  const ids = [...new Set(query.runs.split(',').map(Number))].filter((id) => Number.isInteger(id) && id > 0);
  return ids.length > 0 ? { kind: 'runs', ids } : null;
}

export async function loadComparedRuns(source: CompareSource): Promise<ComparedRuns> {
  if (source.kind === 'experiment') {
    const { experiment, runs } = await api.call('experiments.get', { id: source.id });
    return { runs, title: experiment.name, missing: [], view: viewOfExperiment(experiment.spec) };
  }
  const { runs } = await api.call('runs.list', { ids: source.ids, limit: source.ids.length, orderBy: 'oldest' });
  const found = new Set(runs.map((r) => r.id));
  const missing = source.ids.filter((id) => !found.has(id)).map((id) => ({ id, reason: 'no longer in the database' }));
  runs.sort((a, b) => source.ids.indexOf(a.id) - source.ids.indexOf(b.id));
  return { runs, title: `${runs.length} selected ${runs.length === 1 ? 'run' : 'runs'}`, missing, view: null };
}
