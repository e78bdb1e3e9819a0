import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from '../../../src-shared/names.js';
import { DatasetError, errorMessage } from './errors.js';
import { importDataset, type ImportResult } from './import.js';
import { OFFICIAL_DOWNLOADS, type RemoteFile } from './official-downloads.js';

export interface FetchOptions {
  /** Called as bytes of `file` arrive; `total` is the announced length, null when not announced. */
  onProgress?: (bytes: number, total: number | null, file: string) => void;
  /** The HTTP client (tests pass one that talks to a local server); global fetch when left out. */
  fetch?: typeof globalThis.fetch;
  /** What to download; OFFICIAL_DOWNLOADS[name] when left out. */
  files?: readonly RemoteFile[];
}

/**
 * Downloads a dataset's original files, checks each one's MD5, then imports them. Downloads go to
 * a temporary folder in the data directory that is removed afterwards, whatever happens.
 */
export async function fetchDataset(name: DatasetName, dataDir: string, options: FetchOptions = {}): Promise<ImportResult> {
  await mkdir(dataDir, { recursive: true });
  const downloads = await mkdtemp(join(dataDir, `.${name}.download-`));
  try {
    for (const file of options.files ?? OFFICIAL_DOWNLOADS[name]) {
      await download(file, join(downloads, file.name), options);
    }
    return await importDataset(name, downloads, dataDir);
  } finally {
    await rm(downloads, { recursive: true, force: true });
  }
}

/** Tries each mirror until one answers; a checksum mismatch is an error, not a reason to try the next. */
async function download(file: RemoteFile, target: string, options: FetchOptions): Promise<void> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const failures: string[] = [];
  for (const url of file.urls) {
    let actual: string;
    try {
      // Identity encoding: the bytes must arrive exactly as published for the MD5 to hold.
      const response = await fetchFn(url, { headers: { 'accept-encoding': 'identity' } });
      if (!response.ok || response.body === null) {
        await response.body?.cancel();
        failures.push(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
        continue;
      }
      actual = await saveBody(response, target, (bytes, total) => options.onProgress?.(bytes, total, file.name));
    } catch (error) {
      await rm(target, { force: true });
      failures.push(`${url}: ${errorMessage(error)}`);
      continue;
    }
    if (actual !== file.md5) {
      await rm(target, { force: true });
      throw new DatasetError(url, `MD5 mismatch: expected ${file.md5}, got ${actual}; the download was deleted`);
    }
    return;
  }
  throw new DatasetError(
    file.name,
    `could not be downloaded: ${failures.join('; ')}. Downloaded on another machine, the official archive is imported with \`rigl-lab datasets import\` or Import on the Datasets page`,
  );
}

/** Streams a response body to a file; returns the body's MD5. */
async function saveBody(
  response: Response,
  target: string,
  onProgress: (bytes: number, total: number | null) => void,
): Promise<string> {
  const announced = Number(response.headers.get('content-length'));
  const total = Number.isFinite(announced) && announced > 0 ? announced : null;
  const hash = createHash('md5');
  const out = await open(target, 'w');
  try {
    let bytes = 0;
    for await (const chunk of response.body!) {
      hash.update(chunk);
      await out.writeFile(chunk);
      bytes += chunk.length;
      onProgress(bytes, total);
    }
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}
