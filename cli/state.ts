/**
 * Tokens this machine holds, so `coord progress <id> <pct>` works like the legacy script
 * without the caller passing a claim token. One small file per claim and per agent, under
 * `<state dir>/<service>/`: several agents on one machine run `coord` at once, and separate
 * files mean no read-modify-write of a shared file (the legacy script lost data exactly so).
 * Files are written to a unique temporary name and renamed, and readable only by the user.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingRequest } from './client';

/** A claim held by an agent of this machine. */
export interface SavedClaim {
  readonly workId: string;
  readonly agentId: string;
  readonly token: string;
  readonly leaseExpiresAt?: string;
  readonly savedAt: string;
}

/** An agent token issued to this machine (by `coord register` or `coord token`). */
export interface SavedAgent {
  readonly agentId: string;
  readonly token: string;
  readonly savedAt: string;
}

/** Where a `coord watch` got to: the cursor of the last event it handled. */
export interface SavedWatchCursor {
  /** The watched channels, sorted and joined: one cursor per set of channels. */
  readonly key: string;
  readonly cursor: string;
  readonly savedAt: string;
}

const fileName = (id: string): string => `${encodeURIComponent(id)}.json`;

const readJson = async <T>(path: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** The saved tokens for one service URL. */
export class LocalState {
  private readonly root: string;

  constructor(stateDir: string, serviceUrl: string) {
    this.root = join(stateDir, encodeURIComponent(serviceUrl.replace(/\/+$/, '')));
  }

  private async write(folder: string, id: string, value: unknown): Promise<string> {
    const dir = join(this.root, folder);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, fileName(id));
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, path);
    return path;
  }

  /** Remembers a claim token; returns the file it went to. */
  saveClaim(claim: SavedClaim): Promise<string> {
    return this.write('claims', claim.workId, claim);
  }

  /** The claim saved for a work item, if any. */
  loadClaim(workId: string): Promise<SavedClaim | undefined> {
    return readJson<SavedClaim>(join(this.root, 'claims', fileName(workId)));
  }

  /** Forgets a claim (after complete, fail, release, or when the service says it is stale). */
  async forgetClaim(workId: string): Promise<void> {
    await rm(join(this.root, 'claims', fileName(workId)), { force: true });
  }

  /**
   * Checks that an agent token can be saved here (creates the folder and writes and removes
   * a probe file), so a token the service shows once is not issued into a folder that will
   * refuse it. Returns the folder. @throws the file system error
   */
  async checkAgentsWritable(): Promise<string> {
    const dir = join(this.root, 'agents');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = join(dir, `.probe.${randomUUID()}.tmp`);
    await writeFile(probe, '', { mode: 0o600 });
    await rm(probe, { force: true });
    return dir;
  }

  /** Remembers an agent token; returns the file it went to. */
  saveAgent(agent: SavedAgent): Promise<string> {
    return this.write('agents', agent.agentId, agent);
  }

  /** The token saved for an agent, if any. */
  loadAgent(agentId: string): Promise<SavedAgent | undefined> {
    return readJson<SavedAgent>(join(this.root, 'agents', fileName(agentId)));
  }

  /** Keeps a state-changing request until the service answers it; returns the file it went to. */
  saveOutbox(request: PendingRequest): Promise<string> {
    return this.write('outbox', request.key, request);
  }

  /** Forgets an answered request. */
  async forgetOutbox(key: string): Promise<void> {
    await rm(join(this.root, 'outbox', fileName(key)), { force: true });
  }

  /** The requests waiting for an answer, oldest first. */
  async listOutbox(): Promise<PendingRequest[]> {
    const dir = join(this.root, 'outbox');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found = await Promise.all(
      names
        .filter((name) => name.endsWith('.json'))
        .map((name) => readJson<PendingRequest>(join(dir, name)).catch(() => undefined)),
    );
    return found
      .filter((request): request is PendingRequest => request !== undefined)
      .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
  }

  /** Remembers where a `coord watch` of these channels got to; returns the file it went to. */
  saveWatchCursor(position: SavedWatchCursor): Promise<string> {
    return this.write('watch', position.key, position);
  }

  /** Where a `coord watch` of these channels got to, if it ran before. */
  loadWatchCursor(key: string): Promise<SavedWatchCursor | undefined> {
    return readJson<SavedWatchCursor>(join(this.root, 'watch', fileName(key)));
  }
}
