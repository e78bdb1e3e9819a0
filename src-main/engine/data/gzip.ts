import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { DatasetError, errorMessage } from './errors.js';

const gunzipAsync = promisify(gunzip);

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of a file, decompressed when its name ends in `.gz`. */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (!path.endsWith('.gz')) return bytes;
  checkGzipMagic(bytes, path);
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new DatasetError(path, `corrupt gzip data (${errorMessage(error)})`);
  }
}

/**
 * Decompressed chunks of a gzip file, read as a stream so a large archive is never whole in
 * memory. Errors while reading surface from the iteration, naming the file.
 */
export async function* gunzipFile(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    checkGzipMagic(buffer.subarray(0, bytesRead), path);
  } finally {
    await handle.close();
  }
  const stream: Readable = pipeline(createReadStream(path), createGunzip(), () => {});
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new DatasetError(path, `corrupt gzip data (${errorMessage(error)})`);
  } finally {
    stream.destroy();
  }
}

function checkGzipMagic(bytes: Uint8Array, path: string): void {
  if (!isGzip(bytes)) throw new DatasetError(path, 'is not gzip data although its name ends in .gz');
}
