import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { OptionalModules } from '../../src-main/engine/backend/optional-modules.js';

export const GPU_PKG = '@tensorflow/tfjs-node-gpu';
export const CPU_PKG = '@tensorflow/tfjs-node';

/** The fields selectBackend reads from tfjs-node's NodeJSKernelBackend. */
interface NativeFields {
  readonly isGPUPackage: boolean;
  readonly isUsingGpuDevice: boolean;
  readonly binding: { TF_Version: string };
}

/** Stands in for tfjs-node's backend where nothing is computed. */
export class FakeNativeBackend extends tf.KernelBackend implements NativeFields {
  readonly binding = { TF_Version: '2.9.1' };
  constructor(
    readonly isGPUPackage: boolean,
    readonly isUsingGpuDevice: boolean,
  ) {
    super();
  }
  override dispose(): void {}
}

/**
 * Stands in for tfjs-node's backend and trains: the cpu backend's arithmetic under the name
 * `tensorflow`, so that code paths for the native backends run for real where they are absent.
 */
export class ComputingNativeBackend extends MathBackendCPU implements NativeFields {
  readonly binding = { TF_Version: '2.9.1' };
  constructor(
    readonly isGPUPackage: boolean,
    readonly isUsingGpuDevice: boolean,
  ) {
    super();
    registerCpuKernelsAsNative();
  }
}

let nativeKernelsRegistered = false;

function registerCpuKernelsAsNative(): void {
  if (nativeKernelsRegistered) return;
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
  nativeKernelsRegistered = true;
}

/** The error Node gives for `import()` of a package that is not installed. */
function notInstalled(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/select-backend.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

export interface FakeModules extends OptionalModules {
  loaded: string[];
  /** TF_FORCE_GPU_ALLOW_GROWTH as the package saw it when it loaded. */
  allowGrowthAtLoad: (string | undefined)[];
}

/**
 * Packages as on a user's machine: `present` maps a package to how its fake behaves. Loading a
 * present package registers the `tensorflow` backend the way tfjs-node does (the first one
 * wins), made by `makeBackend`.
 */
export function fakeModules(
  present: Partial<Record<string, { gpuVisible: boolean } | Error>>,
  makeBackend: (isGPUPackage: boolean, gpuVisible: boolean) => tf.KernelBackend = (gpu, visible) => new FakeNativeBackend(gpu, visible),
): FakeModules {
  const fake: FakeModules = {
    loaded: [],
    allowGrowthAtLoad: [],
    isInstalled: (pkg) => present[pkg] !== undefined,
    async load(pkg) {
      const behaviour = present[pkg];
      if (behaviour === undefined) throw notInstalled(pkg);
      if (behaviour instanceof Error) throw behaviour;
      fake.loaded.push(pkg);
      fake.allowGrowthAtLoad.push(process.env['TF_FORCE_GPU_ALLOW_GROWTH']);
      if (tf.engine().registryFactory['tensorflow'] === undefined) {
        tf.registerBackend('tensorflow', () => makeBackend(pkg === GPU_PKG, behaviour.gpuVisible), 3);
      }
      // As tfjs-node 4.22.0 exports it, for both packages: tfjs's map and its own under 'tfjs-node'.
      return { version: { 'tfjs-core': '4.22.0', 'tfjs-layers': '4.22.0', 'tfjs-converter': '4.22.0', tfjs: '4.22.0', 'tfjs-node': '4.22.0' } };
    },
  };
  return fake;
}
