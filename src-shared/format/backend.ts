import type { BackendChoice } from '../names.js';

/**
 * Where and why a run trains on its backend, after its name: "on CPU (WebAssembly SIMD, 2 threads),
 * chosen by auto: tfjs-node-gpu: not installed …". The reason is the engine's (BackendSelection).
 */
export function backendDetail(device: string | null, choice: BackendChoice, reason: string | null): string {
  const where = `on ${device ?? 'an unknown device'}`;
  if (!reason) return choice === 'auto' ? `${where}, chosen by auto` : where;
  return choice === 'auto' ? `${where}, chosen by auto: ${currentReason(reason)}` : `${where}, as the config asks (${reason})`;
}

/** What did a run's arithmetic, in the order recorded: "rigl-lab 0.1.0, tfjs-core 4.22.0, tfjs-backend-wasm 4.22.0". */
export function versionsText(versions: Readonly<Record<string, string>>): string {
  return Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
}

/** Reasons recorded by earlier versions began "auto; …; chose wasm: …": read as the ones written now. */
function currentReason(reason: string): string {
  return reason.replace(/^auto; /, '').replace(/(^|; )chose /, '$1');
}
