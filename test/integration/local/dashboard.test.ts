import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#functions/shared/routes';
import { dashboardAnswers, startDashboard } from '#local/dashboard';
import { type HttpGateway, startHttpGateway } from '#local/http-gateway';

describe('the dashboard served by the local HTTP gateway', () => {
  let gateway: HttpGateway;
  let settings: { wsUrl?: string } = {};
  let handlerCalls = 0;

  beforeAll(async () => {
    gateway = await startHttpGateway({
      routes: ROUTES,
      port: 0,
      localAnswers: await startDashboard(() => settings),
      loadHandler: async () => async () => {
        handlerCalls += 1;
        return { statusCode: 204 };
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('serves the page at / with headers that keep it from being framed or sniffed', async () => {
    const response = await fetch(`${gateway.url}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/app.css">');
  });

  it('serves the bundle and its stylesheet, built from web/ at start', async () => {
    const script = await fetch(`${gateway.url}/app.js`);
    const style = await fetch(`${gateway.url}/app.css`);

    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('coord.token');
    expect(style.status).toBe(200);
    // uPlot's stylesheet is bundled in with the page's own.
    expect(await style.text()).toContain('.uplot');
  });

  it('tells the page the WebSocket URL as it is at the time of the request', async () => {
    settings = {};
    const before = await (await fetch(`${gateway.url}/dashboard-config.json`)).json();
    settings = { wsUrl: 'ws://127.0.0.1:4321' };
    const after = await (await fetch(`${gateway.url}/dashboard-config.json`)).json();

    expect(before).toEqual({});
    expect(after).toEqual({ wsUrl: 'ws://127.0.0.1:4321' });
  });

  it('leaves API routes to their handlers and answers unknown paths as API Gateway does', async () => {
    const calls = handlerCalls;

    const health = await fetch(`${gateway.url}/v1/health`);
    const missing = await fetch(`${gateway.url}/nothing-here.js`);

    expect(health.status).toBe(204);
    expect(handlerCalls).toBe(calls + 1);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
  });

  it('answers only GET of the built files, under their own paths', () => {
    const answers = dashboardAnswers(
      new Map([
        ['/', { contentType: 'text/html', body: Buffer.from('<p>') }],
        ['/app.js', { contentType: 'text/javascript', body: Buffer.from('1') }],
      ]),
      () => ({}),
    );

    expect(Object.keys(answers).sort()).toEqual([
      'GET /',
      'GET /app.js',
      'GET /dashboard-config.json',
      'GET /index.html',
    ]);
  });
});
