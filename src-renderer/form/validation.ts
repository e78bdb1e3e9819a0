import { expandExperiment, GRID_AXES, parseExperimentSpec, type ExperimentSpec, type ExperimentSpecInput } from '../../src-shared/config/experiment.js';
import { ConfigError, type ConfigIssue, type RunConfig } from '../../src-shared/config/run.js';

/** An issue of the form's spec; `refers` names the other fields its message names by their paths. */
export type FieldIssue = ConfigIssue;

/** The spec checked the way the back end will check it, and the runs it expands to. */
export interface SpecCheck {
  spec: ExperimentSpec | null;
  runs: RunConfig[];
  /** The runs added beside the grid (Small-Dense, FLOP-matched): in `runs` too. */
  derived: RunConfig[];
  issues: FieldIssue[];
}

/** The runs the derived options add: those the grid alone would not have. */
function derivedRuns(spec: ExperimentSpec, runs: readonly RunConfig[]): RunConfig[] {
  if (!spec.derived.smallDense && !spec.derived.flopMatched) return [];
  const gridOnly = new Set(expandExperiment({ ...spec, derived: { smallDense: false } }).map((c) => JSON.stringify(c)));
  return runs.filter((c) => !gridOnly.has(JSON.stringify(c)));
}

function issuesOf(error: unknown): FieldIssue[] {
  if (error instanceof ConfigError) return error.issues;
  return [{ path: '(grid)', message: (error as Error).message }];
}

/** Runs the same src-shared checks as `experiments.create`, so the form flags a problem before launch. */
export function checkSpec(input: ExperimentSpecInput): SpecCheck {
  let spec: ExperimentSpec;
  try {
    spec = parseExperimentSpec(input);
  } catch (error) {
    return { spec: null, runs: [], derived: [], issues: issuesOf(error) };
  }
  try {
    const runs = expandExperiment(spec);
    return { spec, runs, derived: derivedRuns(spec, runs), issues: [] };
  } catch (error) {
    return { spec, runs: [], derived: [], issues: issuesOf(error) };
  }
}

const GRID_AXIS_NAMES: readonly string[] = GRID_AXES;

/**
 * The form field an issue belongs to. Issues come from three places that name fields a little
 * differently: the spec schema ("base.optimizer.lr", "grid.sparsity.2"), the run config of a
 * grid point ("grid.batchSize": the prefix there means "some run of the grid"), and the back end,
 * which adds "params.spec.". Grid axis issues go to the axis's field when the form has one, the rest to
 * the config field. Returns null for an issue that no field of the form shows.
 */
export function fieldOf(path: string, fields: ReadonlySet<string>): string | null {
  const parts = path.split('.').filter((p) => p !== '');
  if (parts[0] === 'params') parts.shift();
  if (parts[0] === 'spec') parts.shift();
  if (parts[0] === 'base') parts.shift();
  const candidates: string[] = [];
  if (parts[0] === 'grid') {
    parts.shift();
    const axis = parts[0];
    if (axis !== undefined && GRID_AXIS_NAMES.includes(axis)) candidates.push(`grid.${axis}`);
  }
  // Drop list indexes and record keys from the end until a known field is left.
  for (let n = parts.length; n > 0; n--) candidates.push(parts.slice(0, n).join('.'));
  return candidates.find((c) => fields.has(c)) ?? null;
}
