import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Runs a kernel registered for wasm, by name, inside one of our composite kernels. */
export type KernelStep = (kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo;

/**
 * Builds a kernel out of wasm kernels that exist. `body` gets two runners: `step` for
 * intermediates, freed when `body` returns (kernels called directly are not tracked by the engine,
 * as in tfjs's own composite kernels), and `last` for the result it returns.
 */
export function composeWasmKernels(
  owner: string,
  backend: object,
  body: (step: KernelStep, last: KernelStep) => TensorInfo,
): TensorInfo {
  if (!(backend instanceof tf.KernelBackend)) throw new Error(`${owner} (wasm): called without a tfjs backend`);
  const temporaries: TensorInfo[] = [];
  const last: KernelStep = (kernelName, inputs, attrs) => runWasmKernel(owner, kernelName, backend, inputs, attrs);
  const step: KernelStep = (kernelName, inputs, attrs) => {
    const result = last(kernelName, inputs, attrs);
    temporaries.push(result);
    return result;
  };
  try {
    return body(step, last);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

function runWasmKernel(owner: string, kernelName: string, backend: tf.KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`${owner} (wasm): the wasm backend has no ${kernelName} kernel`);
  const result = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(result)) throw new Error(`${owner} (wasm): ${kernelName} returned several tensors`);
  return result;
}
