import { z } from 'zod';
import { ConfigError, parseWith } from '../../src-shared/config/run.js';
import { StoreError } from './errors.js';

/** A TEXT column holding JSON, parsed and then checked with schema. */
export function jsonText<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** The snake_case column behind a camelCase field: experimentId -> experiment_id. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `experiment_id AS experimentId, ...` for the keys of a row schema, so the schema names the columns once. */
export function selectList(shape: Record<string, unknown>): string {
  return Object.keys(shape)
    .map((field) => `${columnName(field)} AS ${field}`)
    .join(', ');
}

/**
 * Rows are a boundary: a file may hold rows that an older version wrote. A row that no longer
 * parses is reported with the file, what it is and the field that is wrong.
 */
export function parseRow<S extends z.ZodType>(schema: S, row: unknown, what: string, file: string): z.output<S> {
  try {
    return parseWith(schema, row);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new StoreError(`${file}: ${what} cannot be read:\n${error.message}`, { cause: error });
    }
    throw error;
  }
}
