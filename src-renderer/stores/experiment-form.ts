import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, toRaw, watch } from 'vue';
import { defaultModel, issueInWords, recipeDefaults } from '../../src-shared/config/run.js';
import { PRESETS } from '../../src-shared/config/presets.js';
import { dataAndModel, DATASET_INFO } from '../../src-shared/datasets.js';
import type { DatasetName } from '../../src-shared/names.js';
import { api, ApiCallError } from '../api/index.js';
import { debounced } from '../debounced.js';
import { ordinal } from '../../src-shared/report/format.js';
import { blankForm, formFromSpec, specFromForm, SWEEP_FIELD, SWEEP_LABELS, type ExperimentForm } from '../form/experiment-form.js';
import { fieldLabel } from '../format/config-fields.js';
import { checkSpec, fieldOf, type FieldIssue, type SpecCheck } from '../form/validation.js';
import { clearDraft, loadDraft, saveDraft } from '../form/draft.js';

const CHECK_DELAY_MS = 250;

/** Every field the form shows an issue next to; see `fieldOf`. */
const FORM_FIELDS = [
  'name', 'description', 'tags',
  'dataset', 'model', 'validationFraction', 'trainSubset', 'testSubset', 'augment',
  'grid.method', 'grid.sparsity', 'grid.distribution', 'grid.redistribution', 'grid.seed', 'denseFirstLayer',
  'epochs', 'trainingMultiplier', 'batchSize', 'widthMultiplier', 'warmupSteps', 'labelSmoothing', 'dropout',
  'optimizer.lr', 'optimizer.momentum', 'optimizer.nesterov', 'optimizer.weightDecay',
  'lrSchedule', 'lrSchedule.gamma', 'lrSchedule.everySteps',
  'maskUpdate.alpha', 'maskUpdate.deltaT', 'maskUpdate.endFraction', 'maskUpdate.schedule', 'maskUpdate.redistribution',
  'pruning.startFraction', 'pruning.endFraction', 'pruning.frequency', 'pruning.scope',
  'backend', 'logEvery', 'checkpointEvery', 'keepCheckpoints',
  'derived.smallDense', 'derived.flopMatched',
];

/** Labels of form fields that are not run-config fields (those take FIELD_LABELS). */
const FORM_ONLY_LABELS: Record<string, string> = {
  'grid.method': 'Methods',
  'grid.sparsity': 'Sparsities',
  'grid.distribution': 'Distributions',
  'grid.redistribution': 'Redistribution',
  'grid.seed': 'Seeds',
  name: 'Name',
  description: 'Description',
  tags: 'Tags',
  lrSchedule: 'LR schedule',
  'derived.smallDense': 'Small-Dense baselines',
  'derived.flopMatched': 'FLOP-matched runs',
};

function formFieldLabel(field: string): string {
  const axis = field.startsWith('grid.') ? field.slice('grid.'.length) : null;
  if (axis !== null && axis in SWEEP_LABELS) return `Sweep of ${SWEEP_LABELS[axis as keyof typeof SWEEP_LABELS]}`;
  return FORM_ONLY_LABELS[field] ?? fieldLabel(field);
}

/**
 * The new-experiment form: the draft (kept while the user looks at other pages, and in the tab's
 * sessionStorage through a reload), its check by
 * the same src-shared code the back end runs (debounced, since a large grid takes a moment to
 * expand), the issues of the last launch attempt, and the launch itself.
 */
export const useExperimentFormStore = defineStore('experimentForm', () => {
  const form = reactive<ExperimentForm>(loadDraft() ?? blankForm());
  /** A line telling the user what the last dataset / preset change did to the other fields. */
  const note = ref<string | null>(null);
  const serverIssues = ref<FieldIssue[]>([]);
  const launching = ref(false);
  const launchError = ref<string | null>(null);
  const check = shallowRef<SpecCheck>(checkSpec(specFromForm(form)));
  const checking = ref(false);
  const recheck = debounced(() => {
    check.value = checkSpec(specFromForm(toRaw(form)));
    checking.value = false;
  }, CHECK_DELAY_MS);

  watch(
    form,
    () => {
      serverIssues.value = [];
      launchError.value = null;
      checking.value = true;
      recheck.schedule();
      // A form as blank as "Clear form" leaves it is no draft to keep.
      if (JSON.stringify(form) === JSON.stringify(blankForm())) clearDraft();
      else saveDraft(toRaw(form));
    },
    { deep: true },
  );

  const fields = computed(() => new Set([...FORM_FIELDS, ...form.sweeps.map((s) => `grid.${s.axis}`)]));
  const allIssues = computed(() => [...check.value.issues, ...serverIssues.value]);
  const byField = computed(() => {
    const map = new Map<string, string[]>();
    const listed: Array<{ label: string; message: string }> = [];
    for (const issue of allIssues.value) {
      const field = fieldOf(issue.path, fields.value);
      // A list field (seeds, a sweep's values) says which of its values is wrong.
      const entry = field?.startsWith('grid.') ? /\.(\d+)$/.exec(issue.path) : null;
      // Another field the message names is named as the form labels it ("must be after Pruning start").
      const said = issueInWords(issue, formFieldLabel);
      // By its place, in words: "value 1 must be a number" read as the number 1 (for "a, 1").
      const message = entry ? `the ${ordinal(Number(entry[1]) + 1)} value ${said}` : said;
      if (field !== null) map.set(field, [...(map.get(field) ?? []), message]);
      listed.push({ label: field === null ? issue.path : formFieldLabel(field), message });
    }
    return { map, listed };
  });

  function load(next: ExperimentForm): void {
    Object.assign(form, next);
  }

  /** Swept fields are set by the grid, so their single-value input is disabled. */
  const sweptFields = computed(() => new Set(form.sweeps.map((s) => SWEEP_FIELD[s.axis])));

  return {
    form,
    note,
    check,
    checking,
    /** Checks the form now if a change is waiting to be checked (a launch from the keyboard cannot wait). */
    checkNow: () => recheck.flush(),
    launching,
    launchError,
    sweptFields,
    errors: (field: string): string[] => byField.value.map.get(field) ?? [],
    /** Every current issue, named as the form labels its field (or by its path when no field shows it). */
    issues: computed(() => byField.value.listed),
    applyPreset(id: string): void {
      const preset = PRESETS.find((p) => p.id === id);
      if (!preset) return;
      load(formFromSpec(preset.spec));
      note.value = `Filled from the preset "${preset.label}". ${preset.description}`;
    },
    /** Loads an earlier experiment's spec to run it again with changes. */
    loadSpec(spec: Parameters<typeof formFromSpec>[0], from: string): void {
      load(formFromSpec(spec));
      note.value = `Copied from ${from}.`;
    },
    reset(): void {
      load(blankForm());
      clearDraft();
      note.value = null;
    },
    /** A new dataset brings its default model and recipe; the grid and the subsets stay. */
    setDataset(dataset: DatasetName): void {
      const wasDefaultName = form.name === dataAndModel(form.config.dataset, form.config.model);
      const model = defaultModel(dataset);
      form.config = { ...recipeDefaults(dataset, model), trainSubset: form.config.trainSubset, testSubset: form.config.testSubset };
      if (wasDefaultName) form.name = dataAndModel(dataset, model);
      note.value = `Training settings now follow the ${DATASET_INFO[dataset].label} recipe.`;
    },
    /** A new model keeps the dataset's recipe but takes the model's own defaults (dropout for WRN, warm-up for LeNet-5). */
    setModel(model: string): void {
      const wasDefaultName = form.name === dataAndModel(form.config.dataset, form.config.model);
      const recipe = recipeDefaults(form.config.dataset, model);
      form.config.model = model;
      form.config.dropout = recipe.dropout;
      form.config.warmupSteps = recipe.warmupSteps;
      if (wasDefaultName) form.name = dataAndModel(form.config.dataset, model);
    },
    resetToRecipe(): void {
      form.config = { ...recipeDefaults(form.config.dataset, form.config.model), trainSubset: form.config.trainSubset, testSubset: form.config.testSubset };
      note.value = 'Training settings reset to the recipe.';
    },
    /** Creates the experiment; resolves with its id, or null when the back end refused it. */
    async launch(): Promise<number | null> {
      launching.value = true;
      launchError.value = null;
      try {
        const created = await api.call('experiments.create', { spec: specFromForm(toRaw(form)) });
        return created.experimentId;
      } catch (e) {
        if (e instanceof ApiCallError && e.issues.length > 0) serverIssues.value = e.issues;
        launchError.value = (e as Error).message;
        return null;
      } finally {
        launching.value = false;
      }
    },
  };
});
