/**
 * The few screens reachable by URL, all in the fragment: mailed links look like
 * `{WEB_URL}/#/reset-password?token=…` and `{WEB_URL}/#/verify-email?token=…`, so a token never reaches the
 * server, a CDN log or a Referer header, and any static host serves the page as is.
 */
export type Route =
  | { kind: 'home' }
  | { kind: 'forgot-password' }
  | { kind: 'reset-password'; token: string }
  | { kind: 'verify-email'; token: string };

export const FORGOT_PASSWORD_HREF = '#/forgot-password';
export const HOME_HREF = '#/';

/** The route of a `location.hash`; anything unknown is home. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const token = new URLSearchParams(query).get('token') ?? '';
  switch (path) {
    case '/forgot-password':
      return { kind: 'forgot-password' };
    case '/reset-password':
      return { kind: 'reset-password', token };
    case '/verify-email':
      return { kind: 'verify-email', token };
    default:
      return { kind: 'home' };
  }
}

/** Back to the app's root without leaving a token in the address bar or the history entry. */
export function leaveRoute(): void {
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}
