/**
 * Splits a total regrowth budget over layers in proportion to a per-layer score (mean |momentum|
 * for SNFS and RigL-SM, mean |gradient| for RigL-SG), never giving a layer more than its free
 * capacity; what a full layer cannot take is spread over the layers with room left.
 */
export function redistributeGrowth(total: number, scores: number[], capacity: number[]): number[] {
  const shares = scores.map(() => 0);
  let remaining = Math.min(total, capacity.reduce((a, b) => a + b, 0));
  let open = scores.map((_, i) => i).filter((i) => capacity[i]! > 0);
  while (remaining > 0 && open.length > 0) {
    const weights = open.map((i) => Math.max(0, scores[i]!));
    const weightSum = weights.reduce((a, b) => a + b, 0);
    const ideal = open.map((_, j) => (weightSum > 0 ? (remaining * weights[j]!) / weightSum : remaining / open.length));
    // Largest remainders turn the real-valued shares into whole connections that add up exactly.
    const floors = ideal.map(Math.floor);
    let left = remaining - floors.reduce((a, b) => a + b, 0);
    const order = ideal.map((v, j) => [v - floors[j]!, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, j] of order) {
      if (left === 0) break;
      floors[j]! += 1;
      left--;
    }
    let given = 0;
    open.forEach((i, j) => {
      const take = Math.min(floors[j]!, capacity[i]! - shares[i]!);
      shares[i]! += take;
      given += take;
    });
    remaining -= given;
    open = open.filter((i) => shares[i]! < capacity[i]!);
    if (given === 0) break;
  }
  return shares;
}
