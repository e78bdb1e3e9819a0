import { stat } from 'node:fs/promises';

/** Whether a path is a file, a folder, or absent (other errors, e.g. permissions, are thrown). */
export async function entryKind(path: string): Promise<'file' | 'folder' | null> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
