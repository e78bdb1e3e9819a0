import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BackendUnavailableError, type BackendSelection } from './types.js';
import { firstLine, isPackageMissing, type OptionalModules } from './optional-modules.js';

export type NativeBackendName = 'node-gpu' | 'node';

export const NATIVE_PACKAGES: Record<NativeBackendName, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

/** Both packages register their backend under this one name. */
export const NATIVE_TF_BACKEND = 'tensorflow';

/** What we read from the backend tfjs-node registers (its NodeJSKernelBackend); checked because it comes from an optional package. */
const nativeBackendSchema = z.object({
  isGPUPackage: z.boolean(),
  isUsingGpuDevice: z.boolean(),
  binding: z.object({ TF_Version: z.string() }),
});
type NativeBackend = z.infer<typeof nativeBackendSchema>;

/** The module's version map: tfjs's (every tfjs package), and both native packages' own under 'tfjs-node'. */
const nativeModuleSchema = z.object({ version: z.object({ 'tfjs-node': z.string() }) });

const GPU_REQUIREMENT =
  'tfjs-node-gpu 4.x needs an NVIDIA driver ≥ 450 and CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0, libcudnn.so.8) where the loader finds them; without them TensorFlow runs on the CPU';

/** Loads tfjs-node or tfjs-node-gpu and makes it the active backend; throws BackendUnavailableError with the cause. */
export async function activateNative(name: NativeBackendName, modules: OptionalModules): Promise<BackendSelection> {
  const pkg = NATIVE_PACKAGES[name];
  // TensorFlow otherwise maps nearly all GPU memory at start-up; read once, when the device is
  // created. A user's own setting stands.
  if (name === 'node-gpu') process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true';
  let loaded: unknown;
  try {
    loaded = await modules.load(pkg);
  } catch (error) {
    const reason = isPackageMissing(error, pkg) ? 'not installed (optional dependency missing)' : `failed to load: ${firstLine(error)}`;
    throw new BackendUnavailableError(name, reason);
  }
  if (!(await tf.setBackend(NATIVE_TF_BACKEND))) {
    throw new BackendUnavailableError(name, `loaded, but tfjs could not initialise its '${NATIVE_TF_BACKEND}' backend`);
  }
  const backend = parseNativeBackend(name, tf.backend());
  const module = nativeModuleSchema.safeParse(loaded);
  if (!module.success) throw new BackendUnavailableError(name, `${pkg} does not export its version as version['tfjs-node']; is it a tfjs-node build?`);
  const tensorflow = backend.binding.TF_Version;
  const versions = { 'tfjs-core': tf.version_core, [pkg.replace('@tensorflow/', '')]: module.data.version['tfjs-node'], tensorflow };
  // TensorFlow sizes its intra-op thread pool to the machine unless told otherwise.
  const threads = availableParallelism();
  if (name === 'node') {
    return { name, tfBackend: NATIVE_TF_BACKEND, reason: 'tfjs-node: TensorFlow on the CPU', device: `CPU (TensorFlow ${tensorflow})`, versions, threads };
  }
  return backend.isUsingGpuDevice
    ? { name, tfBackend: NATIVE_TF_BACKEND, reason: 'tfjs-node-gpu: TensorFlow sees a GPU', device: `GPU (CUDA, TensorFlow ${tensorflow})`, versions, threads }
    : {
        name,
        tfBackend: NATIVE_TF_BACKEND,
        reason: `tfjs-node-gpu loaded but TensorFlow sees no GPU, so it runs on the CPU (${GPU_REQUIREMENT})`,
        device: `CPU (TensorFlow ${tensorflow}; no GPU visible)`,
        versions,
        threads,
      };
}

function parseNativeBackend(name: NativeBackendName, active: unknown): NativeBackend {
  const parsed = nativeBackendSchema.safeParse(active);
  if (!parsed.success) {
    throw new BackendUnavailableError(name, `the '${NATIVE_TF_BACKEND}' backend is not a tfjs-node backend (no isUsingGpuDevice/binding)`);
  }
  // Both packages register under one name and a native library cannot be unloaded.
  if (parsed.data.isGPUPackage !== (name === 'node-gpu')) {
    const other: NativeBackendName = name === 'node-gpu' ? 'node' : 'node-gpu';
    throw new BackendUnavailableError(name, `this process already loaded ${NATIVE_PACKAGES[other]}; restart it to switch`);
  }
  return parsed.data;
}
