import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';

/**
 * `npm start`: opens the desktop app where Electron can run. Electron's binary is fetched on
 * first use (its install script is not run by `npm ci`); where it cannot be fetched or there is
 * no display, this says why and points to web mode.
 */
const SERVE_HINT = 'Use web mode instead: `npx rigl-lab serve`, then open the printed link in a browser.';
const require = createRequire(import.meta.url);

function fail(reason: string): never {
  process.stderr.write(`RigL Lab cannot open its window: ${reason}\n${SERVE_HINT}\n`);
  process.exit(1);
}

function electronBinary(): string {
  try {
    return require('electron') as string;
  } catch {
    process.stderr.write('Electron is not downloaded yet; fetching it once (electron/install.js)…\n');
    const install = spawnSync(process.execPath, [require.resolve('electron/install.js')], { stdio: 'inherit' });
    if (install.status !== 0) fail('the Electron binary could not be downloaded (no network to its release server?)');
    try {
      return require('electron') as string;
    } catch (error) {
      fail(`Electron is still missing after the download: ${(error as Error).message}`);
    }
  }
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('no display (neither DISPLAY nor WAYLAND_DISPLAY is set)');
}
if (!existsSync(join(PACKAGE_ROOT, 'dist', 'renderer', 'index.html'))) {
  fail('the app is not built: run `npm run build` first');
}
const child = spawn(electronBinary(), [PACKAGE_ROOT, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
