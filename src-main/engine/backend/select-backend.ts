import * as tf from '@tensorflow/tfjs-core';
// Side-effect imports: each registers its backend with tfjs-core.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendName } from '../../../src-shared/names.js';
import { activateCpu } from './cpu-backend.js';
import { NATIVE_PACKAGES, NATIVE_TF_BACKEND, activateNative, type NativeBackendName } from './native-backend.js';
import { installedModules, type OptionalModules } from './optional-modules.js';
import { BackendUnavailableError, type BackendAvailability, type BackendSelection } from './types.js';
import { activateWasm, probeWasm } from './wasm-backend.js';

/** Fastest first: the order `auto` tries. */
const AUTO_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** How the reasons name each backend: the package, where there is one to install. */
const LABELS: Record<BackendName, string> = { 'node-gpu': 'tfjs-node-gpu', node: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' };

const MIRROR_HINT =
  'its install script downloads libtensorflow from Google; where that is unreachable, point TFJS_NODE_CDN_STORAGE or TFJS_NODE_BASE_URI at a mirror';

/** What to do when a forced choice is unavailable. */
const REMEDIES: Record<BackendName, string> = {
  'node-gpu': `Install or rebuild it with \`npm install ${NATIVE_PACKAGES['node-gpu']}\` (Linux with CUDA 11.2 and cuDNN 8.1); ${MIRROR_HINT}.`,
  node: `Install or rebuild it with \`npm install ${NATIVE_PACKAGES.node}\`; ${MIRROR_HINT}.`,
  wasm: 'Reinstall @tensorflow/tfjs-backend-wasm: its .wasm binaries must sit beside its dist/ bundle.',
  cpu: 'Reinstall @tensorflow/tfjs-backend-cpu.',
};

/**
 * Makes the chosen tfjs backend the active one and describes it. `auto` takes the first that
 * works in AUTO_ORDER and says why each one before it was skipped; a forced choice that cannot
 * be used throws, saying why and what to install.
 */
export async function selectBackend(choice: BackendChoice, modules: OptionalModules = installedModules): Promise<BackendSelection> {
  if (choice !== 'auto') {
    try {
      return await activate(choice, modules);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      throw new Error(`Backend '${choice}' is not available: ${LABELS[choice]}: ${error.reason}. ${REMEDIES[choice]}`, { cause: error });
    }
  }
  const skipped: string[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const selection = await activate(name, modules);
      // Says nothing of `auto` itself: whoever shows it says what was asked for (backendDetail).
      return { ...selection, reason: [...skipped, selection.reason].join('; ') };
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      skipped.push(`${LABELS[name]}: ${error.reason}`);
    }
  }
  throw new Error(`No tfjs backend could be used: ${skipped.join('; ')}`);
}

/**
 * Every backend, whether it can be chosen and why, for a Settings page. Switches nothing: the
 * native packages are only looked up (loading one would load libtensorflow into this process
 * and make it the active backend), so their GPU use is known once a run selects them.
 */
export async function listBackends(modules: OptionalModules = installedModules): Promise<BackendAvailability[]> {
  return [
    probeNative('node-gpu', modules),
    probeNative('node', modules),
    await probeWasm(),
    { name: 'cpu', available: true, reason: 'always available (pure JavaScript, slowest)' },
  ];
}

/** The first of `names` this machine cannot run, with why; undefined when it can run them all (auto always can). */
export async function firstUnavailable(names: Iterable<BackendChoice>, modules: OptionalModules = installedModules): Promise<BackendAvailability | undefined> {
  const wanted = new Set(names);
  return (await listBackends(modules)).find((b) => wanted.has(b.name) && !b.available);
}

function activate(name: BackendName, modules: OptionalModules): Promise<BackendSelection> {
  switch (name) {
    case 'node-gpu':
    case 'node':
      return activateNative(name, modules);
    case 'wasm':
      return activateWasm();
    case 'cpu':
      return activateCpu();
  }
}

function probeNative(name: NativeBackendName, modules: OptionalModules): BackendAvailability {
  const active = tf.engine().registry[NATIVE_TF_BACKEND] as { isGPUPackage?: unknown } | undefined;
  if (active !== undefined && active.isGPUPackage === (name === 'node-gpu')) {
    return { name, available: true, reason: 'loaded in this process' };
  }
  if (!modules.isInstalled(NATIVE_PACKAGES[name])) {
    return { name, available: false, reason: 'not installed (optional dependency missing)' };
  }
  const checkedLater = name === 'node-gpu' ? 'whether libtensorflow loads and sees a GPU' : 'whether libtensorflow loads';
  return { name, available: true, reason: `installed; ${checkedLater} is checked when a run selects it` };
}
