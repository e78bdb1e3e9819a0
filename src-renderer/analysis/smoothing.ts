/**
 * Exponential moving average with the start-up bias removed (as TensorBoard smooths curves), so
 * the first points are not pulled toward zero. `weight` 0 returns the values unchanged; null
 * values (NaN in training) stay null and do not disturb the average.
 */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return values.slice();
  let average = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null) return null;
    count++;
    average = average * weight + (1 - weight) * v;
    return average / (1 - weight ** count);
  });
}
