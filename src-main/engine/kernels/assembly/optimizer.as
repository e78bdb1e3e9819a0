// SGD steps over tensors in a single pass (PyTorch's formulation, as optimizer.ts states it), with
// the same float32 operations in the same order as the tfjs ops they replace, so both give the
// same numbers. One call steps every parameter of a model: the parts split all their elements.
import { f32At, shareStart, ceilDiv } from './memory';

export const SGD_NESTEROV: i32 = 1;
/** A previous velocity exists (else it starts as the gradient). */
export const SGD_HAS_VELOCITY: i32 = 2;
/** Multiply the gradient by the mask first. */
export const SGD_MASK_GRADIENT: i32 = 4;
/** Multiply the new weights by the mask (SNFS, whose momentum stays dense). */
export const SGD_MASK_WEIGHTS: i32 = 8;
/** Momentum > 0: write the new velocity. */
export const SGD_MOMENTUM: i32 = 16;

/** Fields of one tensor's entry in sgdSteps' table, 4 bytes each: w, g, v, mask, wOut, vOut, n, flags, decay (f32). */
export const SGD_ENTRY_FIELDS: i32 = 9;

/**
 * Elements [i0, i1) of one tensor: g ← g·mask; g ← g + decay·w (decay 0: skipped); v ← momentum·v
 * + g; u ← g + momentum·v (Nesterov) or v; w ← w − lr·u; w ← w·mask.
 */
function stepRange(
  w: usize, g: usize, v: usize, mask: usize, wOut: usize, vOut: usize, i0: i32, i1: i32,
  lr: f32, momentum: f32, decay: f32, flags: i32,
): void {
  const lrs = f32x4.splat(lr);
  const mom = f32x4.splat(momentum);
  const dec = f32x4.splat(decay);
  const nesterov = (flags & SGD_NESTEROV) != 0;
  const hasVelocity = (flags & SGD_HAS_VELOCITY) != 0;
  const maskGradient = (flags & SGD_MASK_GRADIENT) != 0;
  const maskWeights = (flags & SGD_MASK_WEIGHTS) != 0;
  const useMomentum = (flags & SGD_MOMENTUM) != 0;
  const useDecay = decay != 0;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const wi = v128.load(f32At(w, i));
    let gi = v128.load(f32At(g, i));
    if (maskGradient) gi = f32x4.mul(gi, v128.load(f32At(mask, i)));
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(wi, dec));
    let update = gi;
    if (useMomentum) {
      const vi = hasVelocity ? f32x4.add(f32x4.mul(v128.load(f32At(v, i)), mom), gi) : gi;
      v128.store(f32At(vOut, i), vi);
      update = nesterov ? f32x4.add(gi, f32x4.mul(vi, mom)) : vi;
    }
    let wo = f32x4.sub(wi, f32x4.mul(update, lrs));
    if (maskWeights) wo = f32x4.mul(wo, v128.load(f32At(mask, i)));
    v128.store(f32At(wOut, i), wo);
  }
  for (; i < i1; i++) {
    const wi = load<f32>(f32At(w, i));
    let gi = load<f32>(f32At(g, i));
    if (maskGradient) gi = gi * load<f32>(f32At(mask, i));
    if (useDecay) gi = gi + wi * decay;
    let update = gi;
    if (useMomentum) {
      const vi = hasVelocity ? load<f32>(f32At(v, i)) * momentum + gi : gi;
      store<f32>(f32At(vOut, i), vi);
      update = nesterov ? gi + vi * momentum : vi;
    }
    let wo = wi - update * lr;
    if (maskWeights) wo = wo * load<f32>(f32At(mask, i));
    store<f32>(f32At(wOut, i), wo);
  }
}

/** Where tensor t's entry of sgdSteps' table starts. */
@inline function sgdEntry(table: usize, t: i32): usize {
  return table + (<usize>(t * SGD_ENTRY_FIELDS) << 2);
}

/**
 * One SGD step of `count` tensors, each described by an entry of `table` (SGD_ENTRY_FIELDS
 * fields; v and mask 0 when absent). The tensors' elements, taken end to end in whole vectors,
 * are split between the parts.
 */
export function sgdSteps(table: usize, count: i32, lr: f32, momentum: f32, part: i32, parts: i32): void {
  let total = 0;
  for (let t = 0; t < count; t++) total += ceilDiv(load<i32>(sgdEntry(table, t), 24), 4);
  const v0 = shareStart(total, part, parts);
  const v1 = shareStart(total, part + 1, parts);
  let first = 0;
  for (let t = 0; t < count && first < v1; t++) {
    const entry = sgdEntry(table, t);
    const n = load<i32>(entry, 24);
    const vectors = ceilDiv(n, 4);
    const from = max(v0, first) - first;
    const to = min(v1, first + vectors) - first;
    if (from < to) {
      stepRange(
        load<i32>(entry), load<i32>(entry, 4), load<i32>(entry, 8), load<i32>(entry, 12), load<i32>(entry, 16), load<i32>(entry, 20),
        from * 4, min(n, to * 4), lr, momentum, load<f32>(entry, 32), load<i32>(entry, 28),
      );
    }
    first += vectors;
  }
}
