import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelThreadCount, startKernelRuntime } from '../kernels/kernel-runtime.js';
import { withSharedHeap } from '../kernels/shared-heap.js';
import { BackendUnavailableError, type BackendAvailability, type BackendSelection } from './types.js';
import { firstLine } from './optional-modules.js';
import { registerWasmKernels } from './wasm-kernels/register.js';

/**
 * Makes wasm the active backend, on a shared heap, with our kernels and their threads; throws
 * BackendUnavailableError with the cause.
 */
export async function activateWasm(): Promise<BackendSelection> {
  // Checked first: a bad setting must not leave wasm active without its kernels.
  const threadCount = kernelThreadCount();
  if (!(await withSharedHeap(() => tf.setBackend('wasm')))) {
    throw new BackendUnavailableError('wasm', `failed to initialise: ${await initialisationError()}`);
  }
  const backend = tf.backend();
  if (!(backend instanceof BackendWasm)) throw new BackendUnavailableError('wasm', 'tfjs made another backend active');
  registerWasmKernels();
  const runtime = await startKernelRuntime(backend, threadCount);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = runtime.threadCount;
  return {
    name: 'wasm',
    tfBackend: 'wasm',
    reason: `wasm: WebAssembly${simd ? ' with SIMD' : ' without SIMD'}, ${threads} thread${threads === 1 ? '' : 's'} for our kernels`,
    device: `CPU (WebAssembly${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`,
    versions: { 'tfjs-core': tf.version_core, 'tfjs-backend-wasm': version_wasm },
    threads,
  };
}

/** Whether wasm initialises, without making it the active backend. */
export async function probeWasm(): Promise<BackendAvailability> {
  if (tf.engine().registry['wasm'] !== undefined) return { name: 'wasm', available: true, reason: 'initialised' };
  try {
    const instance = await tf.findBackendFactory('wasm')();
    instance.dispose();
    return { name: 'wasm', available: true, reason: 'initialises (WebAssembly binary found)' };
  } catch (error) {
    return { name: 'wasm', available: false, reason: `failed to initialise: ${firstLine(error)}` };
  }
}

/**
 * tf.setBackend only answers false and prints the cause as a warning; running the registered
 * factory again rejects with the cause itself (checked: it does not hang after a failure).
 */
async function initialisationError(): Promise<string> {
  try {
    (await tf.findBackendFactory('wasm')()).dispose();
    return 'tfjs reported a failure, but a second attempt succeeded; try again';
  } catch (error) {
    return firstLine(error);
  }
}
