import type { BackendName } from '../../../src-shared/names.js';

/** The backend a run trains on, as recorded with the run and shown to the user. */
export interface BackendSelection {
  name: BackendName;
  /** The name tfjs knows it by: `tensorflow` (tfjs-node and tfjs-node-gpu), `wasm` or `cpu`. */
  tfBackend: string;
  /** Why this one: with `auto`, also why each faster one was skipped. */
  reason: string;
  /** Where the arithmetic runs, e.g. "GPU (CUDA, TensorFlow 2.9.1)" or "CPU (WebAssembly SIMD)". */
  device: string;
  /** Package (and library) versions that do the work. */
  versions: Record<string, string>;
  /** Threads the kernels use. */
  threads: number;
}

/** One row of the Settings page: could this backend be chosen, and why (not). */
export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  reason: string;
}

/** A backend that cannot be used here; `reason` is short enough to list among others. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`${backend}: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
