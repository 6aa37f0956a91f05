/**
 * The dashboard's files, served by the local HTTP gateway as local answers beside the API's
 * routes (on AWS a static host does this). Besides the built files it answers `/dashboard-config.json`, which
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

/** The gateway's local answers (`GET /path` -> answer) that serve the dashboard. */
export type DashboardAnswers = Readonly<Record<string, () => Promise<HttpAnswer>>>;

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

/** Answers for already built files, and for the settings as they are at each request. */
export const dashboardAnswers = (
  assets: ReadonlyMap<string, DashboardAsset>,
  settings: () => DashboardSettings,
): DashboardAnswers => {
  const answers: Record<string, () => Promise<HttpAnswer>> = {
    'GET /dashboard-config.json': async () =>
      answer(
        { contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(settings())) },
        'no-store',
      ),
  };
  for (const [path, asset] of assets) {
    // Rebuilt at every start, so a browser must ask again rather than keep an old bundle.
    answers[`GET ${path}`] = async () => answer(asset, 'no-cache');
  }
  const page = assets.get('/');
  if (page) answers['GET /index.html'] = async () => answer(page, 'no-cache');
  return answers;
};

/** Builds the dashboard from `web/` and answers for its files. */
export const startDashboard = async (settings: () => DashboardSettings): Promise<DashboardAnswers> =>
  dashboardAnswers(await buildDashboard(), settings);
