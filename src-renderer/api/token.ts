const STORAGE_KEY = 'rigl-lab.token';

/**
 * The web-mode access token. The link printed by `rigl-lab serve` carries it as `?token=`; it is
 * moved to sessionStorage and taken out of the address bar so that it does not linger in history
 * or get copied along with a screenshot of the URL.
 */
export function takeAccessToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
    return fromUrl;
  }
  return window.sessionStorage.getItem(STORAGE_KEY);
}
