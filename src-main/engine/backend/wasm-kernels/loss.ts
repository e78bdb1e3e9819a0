import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/**
 * Softmax cross-entropy in one kernel (kernels/assembly/loss.as) instead of about twenty tfjs
 * ops: inputs logits [batch, classes] and int32 labels [batch], attr smoothing; outputs the mean
 * loss and the number of correct arg-maxes (scalars) and dL/dlogits.
 */
export const softmaxCrossEntropyConfig = wasmKernel(KERNEL_NAMES.softmaxCrossEntropy, (ctx) => {
  const logits = ctx.input('logits');
  const labels = ctx.input('labels');
  if (logits.shape.length !== 2 || labels.dtype !== 'int32' || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`${KERNEL_NAMES.softmaxCrossEntropy}: needs logits [batch, classes] and int32 labels [batch], got [${logits.shape.join(', ')}] and ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  const [batch, classes] = logits.shape as [number, number];
  const loss = ctx.output([]);
  const correct = ctx.output([]);
  const dLogits = ctx.output([batch, classes]);
  ctx.runtime.call('softmaxCrossEntropy', [ctx.at('logits'), ctx.at('labels'), batch, classes, ctx.attrs['smoothing'] as number, loss.at, correct.at, dLogits.at]);
  return [loss.info, correct.info, dLogits.info];
});
