import { parseArgs } from 'node:util';
import { DATASETS, type DatasetName } from '../../../src-shared/names.js';
import { DATASET_INFO } from '../../../src-shared/datasets.js';
import { fetchDataset, importDataset, listDatasets } from '../../engine/data/index.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatCount, table } from '../format.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { parseFlags } from '../parse-flags.js';

export const DATASETS_HELP = `rigl-lab datasets list [--json] [--data-dir DIR]
rigl-lab datasets fetch NAME [--data-dir DIR]      download from the official source (MD5 checked)
rigl-lab datasets import NAME PATH [--data-dir DIR] from an official archive or a folder of its files
  NAME: ${DATASETS.join(', ')}`;

function datasetName(raw: string | undefined): DatasetName {
  if (raw === undefined) throw new UsageError(`NAME: missing; one of ${DATASETS.join(', ')}`);
  if (!(DATASETS as readonly string[]).includes(raw)) throw new UsageError(`NAME: "${raw}" must be one of ${DATASETS.join(', ')}`);
  return raw as DatasetName;
}

export async function datasetsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('datasets', () => parseArgs({ args, options: STORE_FLAGS, strict: true, allowPositionals: true, allowNegative: true }));
  const { dataDir } = storeLocation(values);
  const [action, ...rest] = positionals;
  switch (action) {
    case 'list': {
      const statuses = await listDatasets(dataDir);
      if (values.json) {
        ctx.out(JSON.stringify(statuses));
        return 0;
      }
      ctx.out(
        table(
          ['dataset', 'available', 'from', 'train', 'test', 'location'],
          statuses.map((s) => [
            s.name,
            s.available ? 'yes' : 'no',
            s.from ?? '–',
            // A partial copy (part of an archive imported) shows its counts against the full set's.
            s.cache ? ofFull(s.cache.trainCount, DATASET_INFO[s.name].trainSize) : '–',
            s.cache ? ofFull(s.cache.testCount, DATASET_INFO[s.name].testSize) : '–',
            s.cache?.folder ?? s.original?.path ?? `rigl-lab datasets fetch ${s.name}`,
          ]),
          [3, 4],
        ),
      );
      for (const s of statuses) for (const p of s.problems) ctx.err(`${s.name}: ${p}`);
      return 0;
    }
    case 'fetch': {
      const name = datasetName(rest[0]);
      const status = (await listDatasets(dataDir)).find((s) => s.name === name);
      if (status?.available) {
        ctx.err(`${name} is already available (${status.from ?? 'cache'}: ${status.cache?.folder ?? status.original?.path ?? dataDir}); nothing to download`);
        return 0;
      }
      let lastDraw = 0;
      await fetchDataset(name, dataDir, {
        onProgress: (bytes, total, file) => {
          const now = Date.now();
          if (now - lastDraw < 200 && bytes !== total) return;
          lastDraw = now;
          const share = total ? ` ${((bytes / total) * 100).toFixed(0)}%` : '';
          const text = `${file}: ${formatCount(bytes)}B${total ? ` of ${formatCount(total)}B` : ''}${share}`;
          if (ctx.interactive) process.stderr.write(`\r\x1b[2K${text}`);
          else if (bytes === total) ctx.err(text);
        },
      });
      if (ctx.interactive) process.stderr.write('\n');
      ctx.err(`${name} downloaded, checked and imported into ${dataDir}`);
      return 0;
    }
    case 'import': {
      const name = datasetName(rest[0]);
      const path = rest[1];
      if (!path) throw new UsageError('PATH: missing; an official archive or a folder of the dataset files');
      const imported = await importDataset(name, path, dataDir);
      const { trainSize, testSize } = DATASET_INFO[name];
      ctx.err(`${name} imported from ${path} into ${dataDir}: ${ofFull(imported.trainCount, trainSize)} training and ${ofFull(imported.testCount, testSize)} test images`);
      return 0;
    }
    default:
      throw new UsageError(`unknown action "${action ?? ''}"; use list, fetch or import\n${DATASETS_HELP}`);
  }
}

function ofFull(count: number, full: number): string {
  return count < full ? `${count} of ${full} (partial)` : String(count);
}
