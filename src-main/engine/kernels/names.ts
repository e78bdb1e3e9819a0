/**
 * Names of our own tfjs kernels (registered for wasm by backend/wasm-kernels/register.ts). Layers
 * call them by name, so they need not import the wasm package.
 */
export const KERNEL_NAMES = {
  csrMatMul: 'RiglCsrMatMul',
  csrMatMulTransposed: 'RiglCsrMatMulTransposed',
  csrSampledGrad: 'RiglCsrSampledGrad',
  sumLeadingAxes: 'RiglSumLeadingAxes',
} as const;
