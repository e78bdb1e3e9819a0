import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { kernelRuntime, type KernelRuntime } from '../../kernels/kernel-runtime.js';

/** What one of our kernels gets: the runtime of its backend, and a way to make outputs on its heap. */
export interface WasmKernelContext {
  runtime: KernelRuntime;
  backend: BackendWasm;
  inputs: NamedTensorInfoMap;
  attrs: NamedAttrMap;
  /** Heap address of input `name`. */
  at(name: string): number;
  input(name: string): TensorInfo;
  /** A new tensor (float32 unless said) on the heap and its address. */
  output(shape: number[], dtype?: 'float32' | 'int32'): { info: TensorInfo; at: number };
}

/**
 * A tfjs kernel for the wasm backend run by our kernel runtime (an array of outputs makes a
 * multi-output kernel). `fallback` (the package's own kernel, where there is one) takes the
 * calls `run` declines by returning null.
 */
export function wasmKernel(kernelName: string, run: (ctx: WasmKernelContext) => TensorInfo | TensorInfo[] | null, fallback?: KernelFunc): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend } = args;
      const attrs = args.attrs ?? {};
      if (!(backend instanceof BackendWasm)) throw new Error(`${kernelName}: called without the wasm backend`);
      const runtime = kernelRuntime(backend);
      const input = (name: string): TensorInfo => {
        const t = inputs[name];
        if (t === undefined) throw new Error(`${kernelName}: needs input ${name}`);
        return t;
      };
      const result = run({
        runtime,
        backend,
        inputs,
        attrs,
        input,
        at: (name) => runtime.offset(input(name).dataId),
        output: (shape, dtype = 'float32') => {
          const info = backend.makeOutput(shape, dtype);
          return { info, at: runtime.offset(info.dataId) };
        },
      });
      if (result !== null) return result;
      if (fallback === undefined) throw new Error(`${kernelName}: this case is not supported on wasm`);
      return fallback(args);
    },
  };
}

/** Throws, naming the kernel and the input, unless `input` has shape `expected`. */
export function requireShape(kernelName: string, name: string, input: TensorInfo, expected: readonly number[]): void {
  const same = input.shape.length === expected.length && input.shape.every((d, i) => d === expected[i]);
  if (!same) throw new Error(`${kernelName}: ${name} has shape [${input.shape.join(', ')}], expected [${expected.join(', ')}]`);
}
