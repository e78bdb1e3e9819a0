import type { RunRecord } from '../api/records.js';
import type { ExperimentSpec, GridAxis } from '../config/experiment.js';
import { viewOfPreset, type ReportView } from '../config/presets.js';
import { recipeNote } from './recipe.js';
import { scheduleNotes } from './update-note.js';
import { completedRuns, type ViewInput, type ViewResult } from './view.js';
import { lengthView } from './views/length.js';
import { methodsView } from './views/methods.js';
import { paramsVsFlopsView } from './views/params-vs-flops.js';
import { redistributionHistoryRuns, redistributionView } from './views/redistribution.js';
import { sensitivityView } from './views/sensitivity.js';

/**
 * The dashboard an experiment gets: its preset's view, or for an experiment built by hand the
 * one its grid asks for — α or ΔT swept: sensitivity; the training multiplier: length;
 * redistribution: redistribution; FLOP-matched runs: params vs FLOPs; otherwise methods. An axis
 * counts as swept with two values or more (the form writes every axis, most with one value).
 */
export function viewOfExperiment(spec: ExperimentSpec): ReportView {
  const preset = viewOfPreset(spec.preset);
  if (preset) return preset;
  const swept = (axis: GridAxis): boolean => (spec.grid[axis]?.length ?? 0) > 1;
  if (swept('alpha') || swept('deltaT')) return 'sensitivity';
  if (swept('trainingMultiplier')) return 'length';
  if (swept('redistribution')) return 'redistribution';
  if (spec.derived.flopMatched) return 'params-vs-flops';
  return 'methods';
}

const BUILDERS: Record<ReportView, (input: ViewInput) => ViewResult> = {
  methods: methodsView,
  length: lengthView,
  sensitivity: sensitivityView,
  'params-vs-flops': paramsVsFlopsView,
  redistribution: redistributionView,
};

/** The runs whose per-layer density history a view draws (fetch them with runs.layerHistory or the store). */
export function layerHistoryRuns(view: ReportView, runs: readonly RunRecord[]): number[] {
  return view === 'redistribution' ? redistributionHistoryRuns(runs) : [];
}

/** Figures, tables and notes of an experiment's view: the same for the dashboard and `rigl-lab report`. */
export function buildView(input: ViewInput): ViewResult {
  const result = BUILDERS[viewOfExperiment(input.experiment.spec)](input);
  // What the figures' runs share: the completed ones, once there are any (a diverged run's lr is no recipe).
  const completed = completedRuns(input.runs);
  const recipe = completed.length > 0 && completed.length < input.runs.length ? recipeNote(completed, 'Every completed run') : recipeNote(input.runs);
  const schedules = scheduleNotes(input.runs.map((r) => r.config));
  return { ...result, notes: [...result.notes, ...schedules, ...(recipe === null ? [] : [recipe])] };
}
