/**
 * Whether our wasm kernels run all three dense passes of a convolution with this filter
 * [kh, kw, inC, outC] and stride by Winograd's F(2×2, 3×3): the rule of winogradApplies in
 * assembly/winograd.as, which decides per pass (the input gradient's correlation has outC input
 * channels), for both passes at once.
 */
export function runsWinograd(filterShape: readonly number[], stride: number): boolean {
  const [kh, kw, inC, outC] = filterShape as [number, number, number, number];
  return kh === 3 && kw === 3 && stride === 1 && inC >= 8 && outC >= 8 && inC % 4 === 0 && outC % 4 === 0;
}
