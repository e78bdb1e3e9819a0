/**
 * ⌊s·N⌋ for a sparsity typed as a decimal. 0.9·235200 is 211679.99999999997 in binary floating
 * point; the researcher meant 211680, so products within 1e-9 of an integer count as that integer.
 */
export function floorCount(sparsity: number, n: number): number {
  const product = sparsity * n;
  const nearest = Math.round(product);
  return Math.abs(product - nearest) < 1e-9 * Math.max(1, n) ? nearest : Math.floor(product);
}

/** Active weights a layer keeps at a given density: an exact count, never a Bernoulli draw. */
export function activeCount(density: number, n: number): number {
  return Math.min(n, Math.max(0, Math.round(density * n)));
}
