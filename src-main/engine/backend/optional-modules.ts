import { createRequire } from 'node:module';

/**
 * How optional packages (tfjs-node, tfjs-node-gpu) are found and run. Tests pass fakes: the
 * native modules cannot be installed on every machine, and their code paths still need testing.
 */
export interface OptionalModules {
  /** Runs the package; for tfjs-node this loads libtensorflow and registers its backend. */
  load(pkg: string): Promise<unknown>;
  /** Whether the package is installed, found without running any of its code. */
  isInstalled(pkg: string): boolean;
}

const resolver = createRequire(import.meta.url);

export const installedModules: OptionalModules = {
  load: (pkg) => import(pkg),
  isInstalled(pkg) {
    try {
      resolver.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * True when loading failed because the package itself is absent. A package that is present but
 * cannot find its native binding also fails with MODULE_NOT_FOUND, naming the binding's path
 * instead; that one is broken, not missing, and needs a different fix.
 */
export function isPackageMissing(error: unknown, pkg: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && error.message.includes(`'${pkg}'`);
}

/** The first line of whatever was thrown: native load errors carry long stacks and require chains. */
export function firstLine(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  return message.split('\n', 1)[0]!.trim();
}
