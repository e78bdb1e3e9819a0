import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
  main: string;
};

/** electron-builder's own validation, from the installed version. */
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const quietLogger = { isEnabled: false, add: () => undefined };

describe('packaging', () => {
  const config = load(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown>;

  it('electron-builder.yml passes the installed electron-builder schema', async () => {
    await expect(validateConfiguration(config, quietLogger)).resolves.toBeUndefined();
  });

  it('the schema check rejects a misspelt option (so the test above can fail)', async () => {
    await expect(validateConfiguration({ ...config, asarUnpak: [] }, quietLogger)).rejects.toThrow(/asarUnpak/);
  });

  it('builds AppImage and deb, unpacks native modules, and leaves rebuilding to an explicit script', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/@tensorflow/tfjs-node-gpu/**']));
    expect(config.npmRebuild).toBe(false);
    expect(pkg.scripts['rebuild:electron']).toBe('electron-builder install-app-deps');
    expect(pkg.scripts.dist).toContain('npm run rebuild:electron');
    expect(pkg.scripts.postinstall).toBeUndefined();
  });

  it('declares the native tfjs packages optional and never runs Electron’s download at install', () => {
    expect(Object.keys(pkg.optionalDependencies).sort()).toEqual(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.main).toBe('dist/src-main/electron/main.js');
  });
});
