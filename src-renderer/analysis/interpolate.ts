/**
 * A piecewise-linear map from optimizer step to another quantity known at some steps (training
 * FLOPs so far, seconds so far). Steps before the first known point scale from (0, 0); steps after
 * the last extend its slope. Used to put step-indexed curves on a FLOPs or time axis.
 */
export function stepMap(known: ReadonlyArray<{ step: number; value: number }>): (step: number) => number | null {
  const points = [{ step: 0, value: 0 }, ...known.filter((p) => p.step > 0)].sort((a, b) => a.step - b.step);
  if (points.length < 2) return () => null;
  return (step) => {
    let lo = 0;
    let hi = points.length - 1;
    if (step >= (points[hi] as { step: number }).step) lo = hi - 1;
    else {
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if ((points[mid] as { step: number }).step <= step) lo = mid;
        else hi = mid;
      }
    }
    const a = points[lo] as { step: number; value: number };
    const b = points[lo + 1] as { step: number; value: number };
    if (b.step === a.step) return b.value;
    return a.value + ((step - a.step) * (b.value - a.value)) / (b.step - a.step);
  };
}

/** Running sum of per-epoch durations: seconds since the run began, at each epoch's last step. */
export function cumulative(points: ReadonlyArray<{ step: number; value: number | null }>): Array<{ step: number; value: number }> {
  let total = 0;
  return [...points]
    .sort((a, b) => a.step - b.step)
    .map((p) => {
      total += p.value ?? 0;
      return { step: p.step, value: total };
    });
}
