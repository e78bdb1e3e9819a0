import { z } from 'zod';
import { REDISTRIBUTIONS, runConfigSchema } from '../../src-shared/config/run.js';
import { DISTRIBUTIONS, METHODS } from '../../src-shared/names.js';
import { NUMERIC_SWEEP_AXES, type ExperimentForm } from './experiment-form.js';

/**
 * The New experiment form's draft, kept in the tab's sessionStorage so that a reload (F5) keeps
 * what was typed, as moving between the app's pages does. It is read back with the form's schema:
 * a draft of another version of the app, or one that is not JSON, is dropped and the form starts
 * blank.
 */
const STORAGE_KEY = 'rigl-lab.new-experiment-draft.v1';

/**
 * A number as the form may hold it: NaN is what the form keeps for a number it cannot read (the
 * check names the field), and JSON writes NaN as null.
 */
const draftNumber = z.union([z.number(), z.null().transform(() => Number.NaN)]);

/**
 * `schema` with the types and fields it asks for, not its ranges, patterns and cross-field
 * checks: a draft holds values still being typed (a model name half written, a batch larger than
 * the data), which the form's check reports next to their fields once they are back.
 */
function draftOf(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodNumber) return draftNumber;
  if (schema instanceof z.ZodString) return z.string();
  if (schema instanceof z.ZodOptional) return draftOf(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodRecord) return z.record(z.string(), draftOf(schema.valueType as z.ZodType));
  if (schema instanceof z.ZodDiscriminatedUnion) return z.union((schema.options as z.ZodType[]).map(draftOf) as [z.ZodType, ...z.ZodType[]]);
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, draftOf(field)]));
    return z.strictObject(shape);
  }
  // Enums, literals and booleans: as the config asks.
  return schema;
}

/** A config as the form holds it. */
const configDraftSchema = draftOf(runConfigSchema) as z.ZodType<ExperimentForm['config']>;

export const formDraftSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  preset: z.string().nullable(),
  config: configDraftSchema,
  methods: z.array(z.enum(METHODS)),
  sparsities: z.array(draftNumber),
  distributions: z.array(z.enum(DISTRIBUTIONS)),
  redistributions: z.array(z.enum(REDISTRIBUTIONS)),
  seeds: z.array(draftNumber),
  sweeps: z.array(z.strictObject({ axis: z.enum(NUMERIC_SWEEP_AXES), values: z.array(draftNumber) })),
  derived: z.strictObject({
    smallDense: z.boolean(),
    flopMatched: z.strictObject({ reference: z.enum(DISTRIBUTIONS), matched: z.enum(DISTRIBUTIONS) }).nullable(),
  }),
}) satisfies z.ZodType<ExperimentForm, unknown>;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The draft kept by an earlier page load of this tab, or null when there is none to use. */
export function loadDraft(): ExperimentForm | null {
  try {
    const text = storage()?.getItem(STORAGE_KEY);
    if (text === null || text === undefined) return null;
    const parsed = formDraftSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: dropped below, as a draft of another shape is.
  }
  clearDraft();
  return null;
}

/** Keeps the form as it is now (a full storage, or none, only loses the draft). */
export function saveDraft(form: ExperimentForm): void {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(form));
  } catch {
    // Quota or storage refused: the form works on, without surviving a reload.
  }
}

export function clearDraft(): void {
  try {
    storage()?.removeItem(STORAGE_KEY);
  } catch {
    // As in saveDraft.
  }
}
