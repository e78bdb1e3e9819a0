import { z } from 'zod';
import { BACKENDS, type BackendName } from '../../src-shared/names.js';
import { installedModules, type OptionalModules } from '../../src-main/engine/backend/optional-modules.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { BackendUnavailableError } from '../../src-main/engine/backend/types.js';

const backendList = z.array(z.enum(BACKENDS).exclude(['auto']));

/** `--backend a,b`: the backends to time, by the names `--backend` takes in `rigl-lab run`. */
export function parseBackendList(value: string | undefined): BackendName[] {
  const names = (value ?? '').split(',').map((s) => s.trim());
  const parsed = backendList.min(1).safeParse(names);
  if (!parsed.success) {
    const expected = 'expected a comma list of node-gpu, node, wasm, cpu';
    if (value === undefined || value.startsWith('--')) throw new Error(`--backend: missing its list; ${expected}`);
    const bad = names.find((n) => !(BACKENDS as readonly string[]).includes(n) || n === 'auto') ?? '';
    if (bad === '') throw new Error(`--backend: an empty name in "${value}"; ${expected}`);
    if (bad === 'auto') throw new Error(`--backend: auto is not timed (it stands for one of the others); ${expected}`);
    throw new Error(`--backend: unknown backend "${bad}"; ${expected}`);
  }
  return [...new Set(parsed.data)];
}

export interface BenchBackends {
  /** The backends to time, wasm first: the README's table and the PyTorch comparison are about it. */
  backends: BackendName[];
  /** Where each one computes, as a run records it (e.g. "GPU (CUDA, TensorFlow 2.9.1)"). */
  devices: Map<BackendName, string>;
  /** Backends tried by default and left out, with the reason. */
  skipped: Array<{ name: BackendName; reason: string }>;
}

/**
 * Which backends the bench times. Asked for by name, each must load (else an error says why and
 * what to install). By default: wasm, the first of tfjs-node-gpu and tfjs-node that loads (a
 * process can hold only one of them), and in the full run the pure-JavaScript cpu backend.
 */
export async function benchBackends(requested: BackendName[] | null, quick: boolean, modules: OptionalModules = installedModules): Promise<BenchBackends> {
  const devices = new Map<BackendName, string>();
  const skipped: BenchBackends['skipped'] = [];
  if (requested !== null) {
    for (const name of requested) {
      try {
        devices.set(name, (await selectBackend(name, modules)).device);
      } catch (error) {
        throw new Error(`--backend ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return { backends: order(requested), devices, skipped };
  }
  devices.set('wasm', (await selectBackend('wasm', modules)).device);
  for (const name of ['node-gpu', 'node'] as const) {
    try {
      devices.set(name, (await selectBackend(name, modules)).device);
      break;
    } catch (error) {
      skipped.push({ name, reason: unavailableReason(error) });
    }
  }
  if (!quick) devices.set('cpu', (await selectBackend('cpu', modules)).device);
  return { backends: order([...devices.keys()]), devices, skipped };
}

const ORDER: readonly BackendName[] = ['wasm', 'node-gpu', 'node', 'cpu'];

function order(names: BackendName[]): BackendName[] {
  return ORDER.filter((name) => names.includes(name));
}

/** The short reason of a backend that cannot load ("not installed (optional dependency missing)"). */
function unavailableReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof BackendUnavailableError ? error.cause.reason : error.message;
}
