import { randomBytes } from 'node:crypto';
import { rm, rename, writeFile } from 'node:fs/promises';

/** A name beside `path` for writing before a rename, unique across processes. */
export function tempPathBeside(path: string): string {
  return `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

/** Writes the parts one after another to a temporary file and renames it over `path`, so readers never see half a file. */
export async function writeFileAtomic(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const temp = tempPathBeside(path);
  try {
    await writeFile(temp, parts);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Puts the folder `from` in place of `to` with two renames, putting the old `to` back if the
 * second fails; the old one is deleted once the new one is in place.
 */
export async function replaceFolder(from: string, to: string): Promise<void> {
  const old = tempPathBeside(to);
  let moved = false;
  try {
    await rename(to, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(from, to);
  } catch (error) {
    if (moved) await rename(old, to);
    throw error;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}
