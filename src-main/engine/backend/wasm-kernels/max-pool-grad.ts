import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, MaxPoolGradAttrs, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * MaxPoolGrad for the wasm backend, replacing the package's. tfjs-backend-wasm 4.22 starts each
 * window's running maximum at std::numeric_limits<float>::min(), the smallest positive float
 * rather than the lowest, so a window whose values are all ≤ 0 keeps position 0 and its
 * gradient is dropped (found by comparing with the cpu kernel on random inputs). Harmless right
 * after a ReLU, wrong anywhere else. This one follows the cpu kernel: the first maximum of each
 * window, in row-major order, receives the window's gradient.
 *
 * A loop over the wasm heap: max-pool backprop does one comparison per input element, so it is
 * bound by memory traffic, not arithmetic.
 */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => maxPoolGrad(inputs, backend, attrs),
};

function maxPoolGrad(inputs: NamedTensorInfoMap, backend: object, attrs: NamedAttrMap | undefined): TensorInfo {
  if (!(backend instanceof BackendWasm)) throw new Error('MaxPoolGrad (wasm): called without the wasm backend');
  const { dy, input } = inputs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad (wasm): needs inputs dy and input');
  if (input.shape.length !== 4) throw new Error(`MaxPoolGrad (wasm): input must be rank 4, got shape [${input.shape.join(', ')}]`);
  // The attributes tfjs-core's maxPool gradient passes for this kernel name.
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const dx = backend.makeOutput(input.shape, 'float32');
  // Views of the wasm heap, taken after the only allocation (which may grow the heap).
  const x = backend.typedArrayFromHeap(input);
  const gradient = backend.typedArrayFromHeap(dy);
  const result = backend.typedArrayFromHeap(dx);
  result.fill(0);

  const best = new Float32Array(inChannels);
  const bestAt = new Int32Array(inChannels);
  let dyOffset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = Math.max(0, oh * strideHeight - top);
      const rowEnd = Math.min(inHeight, oh * strideHeight - top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const colStart = Math.max(0, ow * strideWidth - left);
        const colEnd = Math.min(inWidth, ow * strideWidth - left + filterWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let r = rowStart; r < rowEnd; r++) {
          for (let col = colStart; col < colEnd; col++) {
            const pixel = ((b * inHeight + r) * inWidth + col) * inChannels;
            for (let c = 0; c < inChannels; c++) {
              const value = x[pixel + c]!;
              if (value > best[c]!) {
                best[c] = value;
                bestAt[c] = pixel + c;
              }
            }
          }
        }
        for (let c = 0; c < inChannels; c++) {
          const at = bestAt[c]!;
          if (at >= 0) result[at] = result[at]! + gradient[dyOffset + c]!;
        }
        dyOffset += inChannels;
      }
    }
  }
  return dx;
}
