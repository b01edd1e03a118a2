const STORAGE_KEY = 'histo.token';

/**
 * The per-run token `histo serve` printed, taken from `?token=` once and kept in sessionStorage;
 * the query parameter is then removed from the address bar so it does not linger in history or
 * screenshots. Returns null when neither holds one (the HttpOnly cookie may still authenticate us).
 */
export function takeSessionToken(win: Window = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      /* storage disabled: the cookie set with the page still authenticates us */
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
