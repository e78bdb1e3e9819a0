import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Where the desktop app and the CLI keep their shared state. */
export interface StorePaths {
  /** Folder holding everything below unless overridden. */
  root: string;
  /** The SQLite database file. */
  database: string;
  /** Downloaded and unpacked datasets. */
  dataDir: string;
}

const APP_DIR = 'rigl-lab';

/**
 * The default locations, overridable by RIGL_LAB_HOME (root), RIGL_LAB_DB (database file) and
 * RIGL_LAB_DATA (datasets).
 *
 * Electron's app.getPath('userData') would be ~/.config/rigl-lab on Linux. We deliberately use
 * the XDG data directory instead, computed here without Electron, so that the desktop app and
 * the `rigl-lab` CLI (which must run without Electron) open the same database.
 */
export function defaultPaths(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): StorePaths {
  const root = setting(env, 'RIGL_LAB_HOME') ?? join(platformDataDir(env, platform, home), APP_DIR);
  return {
    root,
    database: setting(env, 'RIGL_LAB_DB') ?? join(root, 'rigl-lab.sqlite'),
    dataDir: setting(env, 'RIGL_LAB_DATA') ?? join(root, 'datasets'),
  };
}

function platformDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  if (platform === 'win32') return setting(env, 'APPDATA') ?? join(home, 'AppData', 'Roaming');
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = setting(env, 'XDG_DATA_HOME');
  return xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
}

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}
