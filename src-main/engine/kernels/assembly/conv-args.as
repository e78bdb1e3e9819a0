// The argument struct of the dense convolution kernels (conv.as, winograd.as), written by
// wasm-kernels/conv2d.ts.

/**
 * The forward geometry, whichever gradient is computed: input [batch, inH, inW, inC], filter
 * [kh, kw, inC, outC], output [batch, outH, outW, outC]. `x`, `w` and `y` point at the input,
 * filter and output, or at their gradients (see each kernel); `bias` (forward only) is 0 for none.
 */
@unmanaged export class ConvArgs {
  batch: i32;
  inH: i32;
  inW: i32;
  inC: i32;
  outH: i32;
  outW: i32;
  outC: i32;
  kh: i32;
  kw: i32;
  strideH: i32;
  strideW: i32;
  padTop: i32;
  padLeft: i32;
  x: u32;
  w: u32;
  y: u32;
  bias: u32;
  scratch: u32;
  scratchPerPart: u32;
}

@inline export function partScratch(a: ConvArgs, part: i32): usize {
  return <usize>a.scratch + <usize>part * <usize>a.scratchPerPart;
}
