import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DATASET_INFO } from '../../../src-shared/datasets.js';
import type { DatasetName } from '../../../src-shared/names.js';
import { decodeCifarBatch } from './cifar.js';
import { entryKind } from './entry-kind.js';
import { DatasetError } from './errors.js';
import { CIFAR_LAYOUTS, IDX_FILES, isCifar, type CifarName, type IdxRole } from './formats.js';
import { gunzipFile, readMaybeGzipped } from './gzip.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';
import { concatImageSets } from './image-set.js';
import { readTarEntries } from './tar.js';
import type { ImageSet } from './types.js';

/** The original files of a dataset, as found on disk. `path` is where they were looked for. */
export type RawSource =
  | { kind: 'idx'; name: DatasetName; path: string; files: Record<IdxRole, string> }
  | { kind: 'cifar-archive'; name: CifarName; path: string; archive: string }
  | { kind: 'cifar-files'; name: CifarName; path: string; train: string[]; test: string[] };

export interface Splits {
  train: ImageSet;
  test: ImageSet;
}

/**
 * Finds a dataset's original files at `path`: a folder holding them (for IDX, the four files,
 * gzip or not; for CIFAR the official archive, its unpacked folder, or the batch files), or for
 * CIFAR the archive itself. Null when `path` does not exist; an error naming it when it does
 * but the files are not all there.
 */
export async function locateRawSource(name: DatasetName, path: string): Promise<RawSource | null> {
  const kind = await entryKind(path);
  if (kind === null) return null;
  return isCifar(name) ? locateCifar(name, path, kind) : locateIdx(name, path, kind);
}

/** Every file a source reads, with the path it keeps inside a dataset's raw folder. */
export function rawSourceFiles(source: RawSource): Array<{ path: string; keepAs: string }> {
  switch (source.kind) {
    case 'idx':
      return Object.values(source.files).map((path) => ({ path, keepAs: basename(path) }));
    case 'cifar-archive':
      return [{ path: source.archive, keepAs: CIFAR_LAYOUTS[source.name].archive }];
    case 'cifar-files': {
      const folder = CIFAR_LAYOUTS[source.name].folder;
      return [...source.train, ...source.test].map((path) => ({ path, keepAs: join(folder, basename(path)) }));
    }
  }
}

/** Decodes and checks every file of a source. */
export async function decodeRawSource(source: RawSource): Promise<Splits> {
  switch (source.kind) {
    case 'idx':
      return decodeIdx(source.name, source.files);
    case 'cifar-files':
      return decodeCifarFiles(source.name, source);
    case 'cifar-archive':
      return decodeCifarArchive(source.name, source.archive);
  }
}

async function locateIdx(name: DatasetName, path: string, kind: 'file' | 'folder'): Promise<RawSource> {
  if (kind === 'file') {
    throw new DatasetError(path, `is a file; ${DATASET_INFO[name].label} is read from the folder holding its four IDX files`);
  }
  const files: Partial<Record<IdxRole, string>> = {};
  const missing: string[] = [];
  for (const [role, base] of Object.entries(IDX_FILES) as Array<[IdxRole, string]>) {
    const found = await firstFile([join(path, base), join(path, `${base}.gz`)]);
    if (found === null) missing.push(`${base}(.gz)`);
    else files[role] = found;
  }
  if (missing.length > 0) throw new DatasetError(path, `lacks ${missing.join(', ')}`);
  return { kind: 'idx', name, path, files: files as Record<IdxRole, string> };
}

async function locateCifar(name: CifarName, path: string, kind: 'file' | 'folder'): Promise<RawSource> {
  const layout = CIFAR_LAYOUTS[name];
  if (kind === 'file') {
    if (/\.(tar\.gz|tgz)$/.test(path)) return { kind: 'cifar-archive', name, path, archive: path };
    throw new DatasetError(path, `expected the archive ${layout.archive} or a folder holding the ${layout.folder} files`);
  }
  const archive = join(path, layout.archive);
  if ((await entryKind(archive)) === 'file') return { kind: 'cifar-archive', name, path, archive };
  const names = [...layout.train, ...layout.test];
  for (const folder of [join(path, layout.folder), path]) {
    const present = await Promise.all(names.map(async (n) => (await entryKind(join(folder, n))) === 'file'));
    if (present.every(Boolean)) {
      return {
        kind: 'cifar-files',
        name,
        path,
        train: layout.train.map((n) => join(folder, n)),
        test: layout.test.map((n) => join(folder, n)),
      };
    }
    if (present.some(Boolean)) {
      throw new DatasetError(folder, `lacks ${names.filter((_, i) => !present[i]).join(', ')}`);
    }
  }
  throw new DatasetError(path, `holds neither ${layout.archive} nor ${layout.folder}/ nor the files ${names.join(', ')}`);
}

async function decodeIdx(name: DatasetName, files: Record<IdxRole, string>): Promise<Splits> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(readMaybeGzipped),
  );
  return {
    train: idxSplit(name, files.trainImages, trainImages!, files.trainLabels, trainLabels!),
    test: idxSplit(name, files.testImages, testImages!, files.testLabels, testLabels!),
  };
}

function idxSplit(
  name: DatasetName,
  imagesFile: string,
  imageBytes: Uint8Array,
  labelsFile: string,
  labelBytes: Uint8Array,
): ImageSet {
  const { imageShape, classes, label } = DATASET_INFO[name];
  const images = parseIdxImages(imageBytes, imagesFile);
  if (images.rows !== imageShape[0] || images.cols !== imageShape[1]) {
    throw new DatasetError(
      imagesFile,
      `images are ${images.rows}×${images.cols}, ${label} images are ${imageShape[0]}×${imageShape[1]}`,
    );
  }
  const labels = parseIdxLabels(labelBytes, labelsFile, classes);
  if (labels.length !== images.count) {
    throw new DatasetError(
      labelsFile,
      `count mismatch: ${labels.length} labels for the ${images.count} images of ${imagesFile}`,
    );
  }
  return { images: images.pixels, labels, count: images.count, shape: imageShape };
}

async function decodeCifarFiles(name: CifarName, source: { train: string[]; test: string[] }): Promise<Splits> {
  const decodeAll = async (files: string[]): Promise<ImageSet> => {
    const parts: ImageSet[] = [];
    for (const file of files) parts.push(decodeCifarBatch(await readFile(file), file, name));
    return concatImageSets(parts, DATASET_INFO[name].imageShape);
  };
  return { train: await decodeAll(source.train), test: await decodeAll(source.test) };
}

async function decodeCifarArchive(name: CifarName, archive: string): Promise<Splits> {
  const layout = CIFAR_LAYOUTS[name];
  const member = (file: string): string => `${layout.folder}/${file}`;
  const wanted = new Set([...layout.train, ...layout.test].map(member));
  // Each batch is decoded as soon as it is read, so the raw bytes of one batch at most are held.
  const decoded = new Map<string, ImageSet>();
  for await (const entry of readTarEntries(gunzipFile(archive), archive, (n) => wanted.has(n))) {
    decoded.set(entry.name, decodeCifarBatch(entry.data, `${archive} (${entry.name})`, name));
  }
  const missing = [...wanted].filter((n) => !decoded.has(n));
  if (missing.length > 0) throw new DatasetError(archive, `archive lacks ${missing.join(', ')}`);
  const split = (files: readonly string[]): ImageSet =>
    concatImageSets(
      files.map((f) => decoded.get(member(f))!),
      DATASET_INFO[name].imageShape,
    );
  return { train: split(layout.train), test: split(layout.test) };
}

async function firstFile(paths: string[]): Promise<string | null> {
  for (const path of paths) if ((await entryKind(path)) === 'file') return path;
  return null;
}
