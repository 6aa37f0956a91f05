/**
 * The dashboard's files, served by the local HTTP gateway where no API route matches (on AWS a
 * static host does this). Besides the built files it answers `/dashboard-config.json`, which
 * tells the page where the WebSocket API listens: a port chosen at start-up (`WS_PORT=0`) is
 * known only to this process.
 */
import { buildDashboard, type DashboardAsset } from '../web/build';
import type { HttpAnswer } from './api-gateway-event';

/** What the page reads from `/dashboard-config.json`. */
export interface DashboardSettings {
  /** Where the WebSocket API listens, once it does. */
  readonly wsUrl?: string;
}

/** Answers a GET or HEAD for a dashboard file, or `undefined` when the path is none of them. */
export type DashboardFiles = (method: string, rawPath: string) => HttpAnswer | undefined;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The page talks only to this origin and to the WebSocket API.
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

const answer = (asset: DashboardAsset, cacheControl: string): HttpAnswer => ({
  statusCode: 200,
  headers: { 'content-type': asset.contentType, 'cache-control': cacheControl, ...SECURITY_HEADERS },
  cookies: [],
  body: asset.body,
});

/** Serves already built files, and the settings as they are at each request. */
export const dashboardFiles = (
  assets: ReadonlyMap<string, DashboardAsset>,
  settings: () => DashboardSettings,
): DashboardFiles => {
  return (method, rawPath) => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (rawPath === '/dashboard-config.json') {
      const body = Buffer.from(JSON.stringify(settings()));
      return answer({ contentType: 'application/json; charset=utf-8', body }, 'no-store');
    }
    const path = rawPath === '/index.html' ? '/' : rawPath;
    const asset = assets.get(path);
    // Rebuilt at every start, so a browser must ask again rather than keep an old bundle.
    return asset && answer(asset, 'no-cache');
  };
};

/** Builds the dashboard from `web/` and serves it. */
export const startDashboard = async (settings: () => DashboardSettings): Promise<DashboardFiles> =>
  dashboardFiles(await buildDashboard(), settings);
