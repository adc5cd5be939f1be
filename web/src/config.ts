/**
 * Runtime configuration, read once at start from `GET /config.json` on the page's own origin:
 *
 *   { "wsUrl": "wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>" }
 *
 * `npm start` answers it from the local HTTP front (local/static-site.ts); a deployment writes the same
 * file next to the static assets (see web/README.md). Keeping it out of the bundle lets one build serve
 * every stage.
 */
export interface RuntimeConfig {
  wsUrl: string;
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`GET /config.json answered ${response.status}`);
  const body: unknown = await response.json();
  const wsUrl = typeof body === 'object' && body !== null && 'wsUrl' in body ? body.wsUrl : undefined;
  if (typeof wsUrl !== 'string' || !/^wss?:\/\//.test(wsUrl)) {
    throw new Error('config.json has no valid wsUrl');
  }
  return { wsUrl };
}
