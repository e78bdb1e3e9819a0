import { describe, expect, it } from 'vitest';
import { defaultPaths } from '../../src-main/store/paths.js';

describe('defaultPaths', () => {
  it('uses ~/.local/share/rigl-lab on Linux without XDG_DATA_HOME', () => {
    expect(defaultPaths({}, 'linux', '/home/ada')).toEqual({
      root: '/home/ada/.local/share/rigl-lab',
      database: '/home/ada/.local/share/rigl-lab/rigl-lab.sqlite',
      dataDir: '/home/ada/.local/share/rigl-lab/datasets',
    });
  });

  it('follows an absolute XDG_DATA_HOME and ignores a relative one', () => {
    expect(defaultPaths({ XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ada').root).toBe('/data/xdg/rigl-lab');
    expect(defaultPaths({ XDG_DATA_HOME: 'relative/xdg' }, 'linux', '/home/ada').root).toBe('/home/ada/.local/share/rigl-lab');
  });

  it('lets RIGL_LAB_HOME, RIGL_LAB_DB and RIGL_LAB_DATA override each part', () => {
    expect(defaultPaths({ RIGL_LAB_HOME: '/srv/lab', XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ada')).toEqual({
      root: '/srv/lab',
      database: '/srv/lab/rigl-lab.sqlite',
      dataDir: '/srv/lab/datasets',
    });
    expect(defaultPaths({ RIGL_LAB_DB: '/tmp/x.sqlite', RIGL_LAB_DATA: '/mnt/sets', RIGL_LAB_HOME: ' ' }, 'linux', '/home/ada')).toEqual({
      root: '/home/ada/.local/share/rigl-lab',
      database: '/tmp/x.sqlite',
      dataDir: '/mnt/sets',
    });
  });

  it('uses Application Support on macOS', () => {
    expect(defaultPaths({}, 'darwin', '/Users/ada').database).toBe('/Users/ada/Library/Application Support/rigl-lab/rigl-lab.sqlite');
  });
});
