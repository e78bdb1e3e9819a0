import { DATASET_INFO } from '../../../src-shared/datasets.js';
import type { DatasetName } from '../../../src-shared/names.js';

/** A dataset file or folder that cannot be used; the message starts with its path and says what is wrong. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}

/** No copy of a dataset anywhere the loader looks; the message says how to get one. */
export class DatasetMissingError extends Error {
  constructor(
    readonly dataset: DatasetName,
    searched: string[],
  ) {
    super(
      `${DATASET_INFO[dataset].label} is not available (looked in ${searched.join(', ')}). ` +
        `Download it with \`rigl-lab datasets fetch ${dataset}\` or import a copy with ` +
        `\`rigl-lab datasets import ${dataset} PATH\`.`,
    );
    this.name = 'DatasetMissingError';
  }
}

export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch's own message is only "fetch failed"; why (no DNS, refused, a timeout) is its cause.
  const cause = error.cause instanceof Error ? error.cause.message : null;
  return cause === null || error.message.includes(cause) ? error.message : `${error.message} (${cause})`;
}
