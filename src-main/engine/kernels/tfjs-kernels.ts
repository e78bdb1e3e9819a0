import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, sparseKernels, type SparseKernels } from './loader.js';
import { KERNEL_NAMES } from './names.js';

/*
 * Our wasm kernels as tfjs kernels, so that they run inside tf.tidy like any op. Compressed
 * weights are CSR rows of W [nIn, nOut]: rowPtr int32 [nIn + 1], cols int32 [nnz], vals [nnz].
 */

type Run = (kernels: SparseKernels, at: (name: string) => number, backend: BackendWasm, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo;

function wasmKernel(kernelName: string, run: Run): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      if (!(backend instanceof BackendWasm)) throw new Error(`${kernelName}: called without the wasm backend`);
      const at = (name: string): number => {
        const t = inputs[name];
        if (t === undefined) throw new Error(`${kernelName}: needs input ${name}`);
        return heapOffset(backend, t.dataId);
      };
      return run(sparseKernels(backend), at, backend, inputs, attrs ?? {});
    },
  };
}

const shapeOf = (inputs: NamedTensorInfoMap, name: string): number[] => inputs[name]!.shape;

/** yT [nOut, batch] from xT [nIn, batch]. */
const csrMatMul = wasmKernel(KERNEL_NAMES.csrMatMul, (k, at, backend, inputs, attrs) => {
  const [nIn, batch] = shapeOf(inputs, 'xT') as [number, number];
  const nOut = attrs['nOut'] as number;
  const out = backend.makeOutput([nOut, batch], 'float32');
  k.csrMatMul(at('rowPtr'), at('cols'), at('vals'), nIn, at('xT'), batch, heapOffset(backend, out.dataId), nOut);
  return out;
});

/** dxT [nIn, batch] from dyT [nOut, batch]. */
const csrMatMulTransposed = wasmKernel(KERNEL_NAMES.csrMatMulTransposed, (k, at, backend, inputs) => {
  const nIn = shapeOf(inputs, 'rowPtr')[0]! - 1;
  const batch = shapeOf(inputs, 'dyT')[1]!;
  const out = backend.makeOutput([nIn, batch], 'float32');
  k.csrMatMulTransposed(at('rowPtr'), at('cols'), at('vals'), nIn, at('dyT'), batch, heapOffset(backend, out.dataId));
  return out;
});

/** grad [nnz] from xT [nIn, batch] and dyT [nOut, batch]. */
const csrSampledGrad = wasmKernel(KERNEL_NAMES.csrSampledGrad, (k, at, backend, inputs) => {
  const [nIn, batch] = shapeOf(inputs, 'xT') as [number, number];
  const out = backend.makeOutput([shapeOf(inputs, 'cols')[0]!], 'float32');
  k.csrSampledGrad(at('rowPtr'), at('cols'), nIn, at('xT'), at('dyT'), batch, heapOffset(backend, out.dataId));
  return out;
});

/** [..., C] -> [C]. */
const sumLeadingAxes = wasmKernel(KERNEL_NAMES.sumLeadingAxes, (k, at, backend, inputs) => {
  const shape = shapeOf(inputs, 'x');
  const cols = shape[shape.length - 1]!;
  const rows = tf.util.sizeFromShape(shape) / cols;
  const out = backend.makeOutput([cols], 'float32');
  k.sumRows(at('x'), rows, cols, heapOffset(backend, out.dataId));
  return out;
});

export const SPARSE_KERNEL_CONFIGS: readonly KernelConfig[] = [csrMatMul, csrMatMulTransposed, csrSampledGrad, sumLeadingAxes];
