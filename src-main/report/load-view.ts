import type { LayerStatRecord } from '../../src-shared/api/records.js';
import type { AccuracyKind } from '../../src-shared/report/groups.js';
import { layerHistoryRuns, viewOfExperiment } from '../../src-shared/report/build-view.js';
import type { ViewInput } from '../../src-shared/report/view.js';
import type { Store } from '../store/index.js';

/** An experiment id the database does not hold; the message names the ones it does. */
export class UnknownExperimentError extends Error {
  override name = 'UnknownExperimentError';
}

/** Everything an experiment's view is computed from, read from the store as the dashboard reads it over the api. */
export function loadViewInput(store: Store, experimentId: number, accuracy: AccuracyKind): ViewInput {
  const experiment = store.getExperiment(experimentId);
  if (!experiment) {
    const known = store.listExperiments().map((e) => `${e.id} (${e.name})`);
    throw new UnknownExperimentError(
      `EXPERIMENT: no experiment ${experimentId} in ${store.file}; ` +
        (known.length > 0 ? `it holds ${known.join(', ')}` : 'it holds no experiments'),
    );
  }
  const runs = store.listRuns({ experimentId, orderBy: 'oldest', limit: 100_000 });
  const layerHistory = new Map<number, LayerStatRecord[]>();
  for (const id of layerHistoryRuns(viewOfExperiment(experiment.spec), runs)) layerHistory.set(id, store.layerStatsOverTime(id));
  return { experiment, runs, layerHistory, accuracy };
}
