import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Io } from '../../../../cli/io';
import { runCli } from '../../../../cli/run-cli';

/** A request the fake service received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: unknown;
}

/** What the fake answers. */
export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  /** The answer's body as is, instead of `body` as JSON (a server-sent event stream). */
  readonly text?: string;
  readonly headers?: Record<string, string>;
  /** Answers this much later (a slow service). */
  readonly delayMs?: number;
}

type Responder = FakeReply | ((request: RecordedRequest, count: number) => FakeReply);

interface Route {
  readonly method: string;
  readonly path: string | RegExp;
  readonly respond: Responder;
  hits: number;
}

/**
 * An HTTP service on 127.0.0.1 with a random port that answers canned replies per route and
 * records every request, so command tests check the exact requests `coord` sends.
 */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  /** How many requests have had their whole answer written. */
  answered = 0;
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  url = '';

  /** Answers `method path` (later routes win over earlier ones for the same request). */
  on(method: string, path: string | RegExp, respond: Responder): this {
    this.routes.unshift({ method, path, respond, hits: 0 });
    return this;
  }

  /** Requests to one method and path. */
  sent(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.method === method &&
        (typeof path === 'string' ? request.path === path : path.test(request.path)),
    );
  }

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const url = new URL(incoming.url ?? '/', 'http://fake');
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = rawBody === '' ? undefined : JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
        const request: RecordedRequest = {
          method: incoming.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: incoming.headers,
          rawBody,
          body,
        };
        this.requests.push(request);
        const route = this.routes.find(
          (candidate) =>
            candidate.method === request.method &&
            (typeof candidate.path === 'string'
              ? candidate.path === request.path
              : candidate.path.test(request.path)),
        );
        const reply: FakeReply = route
          ? typeof route.respond === 'function'
            ? route.respond(request, route.hits++)
            : route.respond
          : {
              status: 404,
              body: { error: { code: 'not_found', message: `no route ${request.method} ${request.path}` } },
            };
        const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
        const requestId = `req-${this.requests.length}`;
        const answer = () => {
          outgoing.writeHead(reply.status, {
            ...(text ? { 'content-type': 'application/json' } : {}),
            'x-request-id': requestId,
            ...reply.headers,
          });
          outgoing.end(text, () => this.answered++);
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** What one `coord` run printed and returned. */
export interface CoordRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch home for config and saved tokens. */
export const scratchHome = async (): Promise<{ dir: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'coord-cli-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
};

/** Runs `coord` in-process with the given environment; sleeps are instant and recorded. */
export const runCoord = async (
  argv: readonly string[],
  env: Record<string, string | undefined>,
  options: { stdin?: string; tty?: boolean; sleeps?: number[] } = {},
): Promise<CoordRun> => {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: async () => options.stdin ?? '',
    isStderrTty: options.tty === true,
    env,
    now: () => new Date('2026-11-26T10:00:00.000Z'),
    sleep: async (milliseconds) => {
      options.sleeps?.push(milliseconds);
    },
  };
  const code = await runCli(argv, { io });
  return { code, stdout, stderr };
};

/** The fake service, scratch home and environment of the current test. */
export interface FakeApiHarness {
  api: FakeApi;
  /** Scratch folder: config and saved tokens live below it. */
  home: string;
  /** COORD_URL pointing at the fake, XDG_CONFIG_HOME at the scratch folder, plus the extras. */
  env: Record<string, string>;
}

/** Starts a fake service and a scratch home before each test and removes both after it. */
export const useFakeApi = (extraEnv: Record<string, string> = {}): FakeApiHarness => {
  const harness = {} as FakeApiHarness;
  let removeHome: () => Promise<void> = async () => undefined;
  beforeEach(async () => {
    const home = await scratchHome();
    removeHome = home.remove;
    harness.api = new FakeApi();
    harness.home = home.dir;
    harness.env = { COORD_URL: await harness.api.start(), XDG_CONFIG_HOME: home.dir, ...extraEnv };
  });
  afterEach(async () => {
    await harness.api.stop();
    await removeHome();
  });
  return harness;
};
