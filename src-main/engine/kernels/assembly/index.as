// Entry of the kernel module (see ../build-kernels.mjs). The module imports the memory of
// tfjs-backend-wasm, so every pointer is a byte offset into a tfjs tensor or into scratch the
// caller allocated there, and no data is copied. It must never allocate: no strings, arrays or
// other static data, which would be written into tfjs's heap. Every kernel but the serial ones
// (softmaxCrossEntropy, selectMagnitudes, compressedIndex, carryValues, mergeActive,
// sparseConvPrepare) takes (…, part, parts) last and computes only its part, so that threads
// sharing the memory split the work.
export { compressedMatMul, compressedGrads, sumPartials, sumRows, sumChunkRows } from './sparse';
export { matMul, matMulScratchBytes } from './matmul';
export {
  conv2d, conv2dScratchBytes, conv2dInputGrad, conv2dInputGradScratchBytes,
  conv2dFilterGrad, conv2dFilterGradScratchBytes, conv2dFilterGradSum,
} from './conv';
export { transpose2d } from './layout';
export { sgdSteps } from './optimizer';
export {
  normalizationScratchBytes, batchNormMoments, batchNormForward, batchNormGradMoments, batchNormGrad, relu, reluGrad,
} from './normalization';
export { maxPool, maxPoolGrad } from './pooling';
export { dropout } from './dropout';
export { softmaxCrossEntropy } from './loss';
export { assembleBatch } from './batch';
export { selectMagnitudes, selectMagnitudesScratchBytes } from './select';
export { compressedIndex, carryValues, mergeActive } from './compressed-index';
export { sparseConvScratchBytes, sparseConvPrepare, sparseConvForward, sparseConvBackward, denseConvForward, denseConvInputGrad, denseConvFilterGrad } from './sparse-conv';
