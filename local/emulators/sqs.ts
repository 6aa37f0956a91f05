import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFauxqs } from 'fauxqs';

/** A running in-process SQS emulator. */
export interface SqsEmulator {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Options for {@link startSqsEmulator}. */
export interface SqsEmulatorOptions {
  /** @default a free port chosen by the OS */
  readonly port?: number;
  /** Keep queues and messages in this directory (created when missing); @default in memory */
  readonly dataDir?: string;
  /** Region used when a request does not name one. @default us-east-1 */
  readonly region?: string;
}

/**
 * Starts the SQS emulator (fauxqs) inside this process. Queue URLs name the host the client
 * used, so they work from wherever the endpoint was reached.
 */
export const startSqsEmulator = async (options: SqsEmulatorOptions = {}): Promise<SqsEmulator> => {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    defaultRegion: options.region ?? 'us-east-1',
    ...(dataDir ? { dataDir } : {}),
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, port: server.port, stop: () => server.stop() };
};
