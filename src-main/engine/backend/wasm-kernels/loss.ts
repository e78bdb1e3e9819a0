import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/**
 * Softmax cross-entropy in one kernel (kernels/assembly/loss.as) instead of about twenty tfjs
 * ops: inputs logits [batch, classes] and int32 labels [batch], attrs smoothing and inChunks
 * (logits are then [classes, batch] in batch chunks, as a compressed output layer gives them,
 * and dL/dlogits comes in the same layout); outputs the mean loss and the number of correct
 * arg-maxes (scalars) and dL/dlogits.
 */
export const softmaxCrossEntropyConfig = wasmKernel(KERNEL_NAMES.softmaxCrossEntropy, (ctx) => {
  const logits = ctx.input('logits');
  const labels = ctx.input('labels');
  const inChunks = ctx.attrs['inChunks'] === true;
  const [batch, classes] = (inChunks ? [logits.shape[1], logits.shape[0]] : logits.shape) as [number, number];
  if (logits.shape.length !== 2 || labels.dtype !== 'int32' || labels.shape[0] !== batch) {
    const expected = inChunks ? '[classes, batch] (in batch chunks)' : '[batch, classes]';
    throw new Error(`${KERNEL_NAMES.softmaxCrossEntropy}: needs logits ${expected} and int32 labels [batch], got [${logits.shape.join(', ')}] and ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  const loss = ctx.output([]);
  const correct = ctx.output([]);
  const dLogits = ctx.output(logits.shape);
  const rowScratch = inChunks ? ctx.runtime.scratch(2 * classes * 4, 1).base : 0;
  ctx.runtime.call('softmaxCrossEntropy', [ctx.at('logits'), ctx.at('labels'), batch, classes, ctx.attrs['smoothing'] as number, loss.at, correct.at, dLogits.at, rowScratch]);
  return [loss.info, correct.info, dLogits.info];
});
