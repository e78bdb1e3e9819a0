import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.js';
import { RUN_HELP } from '../../src-main/cli/commands/run.js';
import { openStore } from '../../src-main/store/index.js';
import { resolveRunConfig } from '../../src-shared/config/run.js';

/** The CLI in this process, its output captured. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), interactive: false });
  return { code, out, err };
}

describe('rigl-lab messages', () => {
  it('gives a command’s help for `help COMMAND`, and refuses a command it does not know', async () => {
    expect(await cli(['help', 'run'])).toEqual({ code: 0, out: `${RUN_HELP}\n`, err: '' });
    const unknown = await cli(['help', 'nonsense']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^rigl-lab: unknown command "nonsense"/);
  });

  it('names an unknown datasets action once', async () => {
    const { code, err } = await cli(['datasets', 'foo']);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('rigl-lab datasets: unknown action "foo"; use list, fetch or import');
  });

  it('refuses an export --out that is a folder, saying to name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-export-'));
    const db = join(dir, 'db.sqlite');
    const store = openStore(db);
    const id = store.createRun(resolveRunConfig({}));
    store.close();
    const { code, err } = await cli(['export', String(id), '--out', dir, '--db', db]);
    expect(code).toBe(2);
    expect(err).toBe(`rigl-lab export: --out: cannot write ${dir}: it is a folder; name the file to write (run-${id}.json, say)\n`);
  });

  it('lists a derived sparsity with every decimal it has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-list-'));
    const db = join(dir, 'db.sqlite');
    const store = openStore(db);
    store.createRun(resolveRunConfig({ method: 'rigl', sparsity: 0.9588 }));
    store.createRun(resolveRunConfig({ method: 'rigl', sparsity: 0.9 }));
    store.close();
    const { code, out } = await cli(['list', '--db', db]);
    expect(code).toBe(0);
    expect(out).toMatch(/ 0\.9588 /);
    expect(out).toMatch(/ 0\.90 /);
  });
});
