/**
 * Chaos correctness: a load of claims and completions on a local runtime in its own process
 * (data on disk), with agents that crash holding work, their stale writes after the work came
 * back by lease expiry, every completion sent twice with one Idempotency-Key, and a SIGKILL of
 * the whole runtime in the middle; then a restart on the same data. At the end, checked from
 * the store and the audit log:
 * - every item was completed exactly once (one `work.completed` event each);
 * - every completion the service acknowledged is there, by the agent it acknowledged;
 * - no item ever had two holders (in the audit log, a claim always follows a release);
 * - every stale write was refused, and every duplicated request answered as the first.
 *
 * As in test/e2e/faults-crash.test.ts, DynamoDB Local is stopped with SIGTERM after the runtime
 * is killed: it stands in for DynamoDB, which keeps what it acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { membersOf, type SpawnedStack, spawnLocalStack } from '#test/support/local-stack';

const WORKERS = 8;
const CRASHERS = 3;
const ITEMS = 60;
const KILL_AFTER_COMPLETIONS = 15;
const LEASE_SECONDS = 5;

/** What the chaos run found. */
export interface ChaosResult {
  readonly ok: boolean;
  readonly items: number;
  readonly acknowledgedCompletions: number;
  readonly staleWrites: number;
  readonly duplicatedRequests: number;
  readonly lines: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

export const runChaos = async (): Promise<ChaosResult> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coord-chaos-'));
  const env = {
    COORD_DATA_DIR: dataDir,
    COORD_ADMIN_TOKEN: `coord_admin_chaos${Date.now().toString(36)}`,
    COORD_REGISTRATION_KEY: `coord_registration_chaos${Date.now().toString(36)}`,
    COORD_SWEEP_INTERVAL_MS: '1000',
  };
  let stack: SpawnedStack | undefined;
  let base = '';
  const request = async (token: string, method: string, path: string, body?: unknown, key?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : {}, text } as Answer;
  };
  const lines: string[] = [];
  const problems: string[] = [];
  const acked: { workId: string; agentId: string }[] = [];
  let staleWrites = 0;
  let duplicatedRequests = 0;
  let down = false;
  try {
    stack = await spawnLocalStack(env, { processGroup: true });
    base = stack.url;
    const put = await request(env.COORD_ADMIN_TOKEN, 'PUT', '/v1/config', { leaseSeconds: LEASE_SECONDS });
    if (put.status !== 200) throw new Error(`config: ${put.status} ${put.text}`);
    const team = `chaos-${Date.now().toString(36)}`;
    const register = async (id: string) => {
      const r = await request(env.COORD_REGISTRATION_KEY, 'POST', '/v1/agents', { id, team, capacity: 1 });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
      return { id, token: r.json.token as unknown as string };
    };
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => register(`${team}-w${i}`)));
    const crashers = await Promise.all(Array.from({ length: CRASHERS }, (_, i) => register(`${team}-c${i}`)));
    for (let i = 0; i < ITEMS; i += 1) {
      const r = await request(env.COORD_ADMIN_TOKEN, 'POST', '/v1/work', {
        type: 'chaos',
        title: `item ${i}`,
        team,
      });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    }
    // Crashers take one item each and vanish (no heartbeat, no completion).
    const abandoned: { agent: { id: string; token: string }; workId: string; claimToken: string }[] = [];
    for (const agent of crashers) {
      const r = await request(agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
      if (r.status !== 200) throw new Error(`crasher claim: ${r.status} ${r.text}`);
      const claim = r.json as unknown as { item: { id: string }; claim: { token: string } };
      abandoned.push({ agent, workId: claim.item.id, claimToken: claim.claim.token });
    }

    const worker = async (agent: { id: string; token: string }) => {
      let idle = 0;
      while (idle < 3 * LEASE_SECONDS * 5) {
        if (down) {
          await sleep(200);
          continue;
        }
        try {
          const claim = await request(agent.token, 'POST', '/v1/work/claim-next', { agentId: agent.id });
          if (claim.status === 204) {
            // Nothing ready now; abandoned items come back once their leases expire.
            idle += 1;
            await sleep(200);
            continue;
          }
          if (claim.status !== 200) {
            if (claim.status >= 500 && claim.status !== 503)
              problems.push(`claim-next answered ${claim.status}`);
            continue;
          }
          idle = 0;
          const view = claim.json as unknown as { item: { id: string }; claim: { token: string } };
          const path = `/v1/work/${view.item.id}/complete`;
          const key = `${agent.id}-${view.item.id}-${view.claim.token.slice(-8)}`;
          const body = { claimToken: view.claim.token };
          const first = await request(agent.token, 'POST', path, body, key);
          if (first.status === 200) acked.push({ workId: view.item.id, agentId: agent.id });
          else if (first.status >= 500 && first.status !== 503)
            problems.push(`complete answered ${first.status}`);
          const again = await request(agent.token, 'POST', path, body, key);
          duplicatedRequests += 1;
          if (first.status === 200 && (again.status !== 200 || again.text !== first.text)) {
            problems.push(
              `a repeated complete of ${view.item.id} answered ${again.status}, not as the first`,
            );
          }
        } catch {
          // The runtime is down: the outcome of this request is unknown, so nothing is acknowledged.
          await sleep(200);
        }
      }
    };

    const load = Promise.all(workers.map(worker));
    while (acked.length < KILL_AFTER_COMPLETIONS) await sleep(20);
    // SIGKILL the runtime with requests in flight, stop its DynamoDB Local, restart on the same data.
    down = true;
    const group = stack.launched.child.pid ?? 0;
    process.kill(group, 'SIGKILL');
    await stack.launched.exited;
    for (const pid of membersOf(group)) process.kill(pid, 'SIGTERM');
    while (membersOf(group).length > 0) await sleep(100);
    lines.push(`runtime killed after ${acked.length} acknowledged completions`);
    stack = await spawnLocalStack(env, { processGroup: true });
    base = stack.url;
    down = false;
    // Stale writers: once their items came back and were taken by others, the crashers try to finish.
    await load;
    for (const { agent, workId, claimToken } of abandoned) {
      const r = await request(agent.token, 'POST', `/v1/work/${workId}/complete`, { claimToken });
      staleWrites += 1;
      if (r.status < 400 || r.status >= 500)
        problems.push(`a stale complete of ${workId} answered ${r.status}`);
    }

    // Checks, from the store and the audit log.
    const admin = env.COORD_ADMIN_TOKEN;
    let completed = 0;
    let cursor: string | undefined;
    do {
      const page = await request(
        admin,
        'GET',
        `/v1/work?team=${team}&status=completed&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      completed += (page.json.items as unknown as unknown[]).length;
      cursor = page.json.nextCursor as unknown as string | undefined;
    } while (cursor);
    if (completed !== ITEMS) problems.push(`${completed} of ${ITEMS} items completed`);
    const ackedBy = new Map(acked.map((a) => [a.workId, a.agentId]));
    const list = await request(admin, 'GET', `/v1/work?team=${team}&limit=200`);
    for (const item of list.json.items as unknown as { id: string }[]) {
      const events: { action: string; seq: number; actor: { id: string } }[] = [];
      let auditCursor: string | undefined;
      do {
        const page = await request(
          admin,
          'GET',
          `/v1/audit?entityId=${item.id}&limit=200${auditCursor ? `&cursor=${encodeURIComponent(auditCursor)}` : ''}`,
        );
        events.push(...(page.json.items as unknown as typeof events));
        auditCursor = page.json.nextCursor as unknown as string | undefined;
      } while (auditCursor);
      events.sort((a, b) => a.seq - b.seq);
      const completions = events.filter((e) => e.action === 'work.completed');
      if (completions.length !== 1)
        problems.push(`${item.id}: ${completions.length} completions in the audit log`);
      const by = ackedBy.get(item.id);
      if (by !== undefined && completions[0]?.actor.id !== by) {
        problems.push(`${item.id}: acknowledged to ${by}, completed by ${completions[0]?.actor.id}`);
      }
      let held = false;
      for (const event of events) {
        if (event.action === 'work.claimed' || event.action === 'work.reassigned') {
          if (held && event.action === 'work.claimed') problems.push(`${item.id}: claimed while held`);
          held = true;
        } else if (
          ['work.released', 'work.completed', 'work.failed', 'work.cancelled'].includes(event.action)
        ) {
          held = false;
        }
      }
    }
    lines.push(
      `${ITEMS} items, ${acked.length} acknowledged completions, ${staleWrites} stale writes refused, ${duplicatedRequests} duplicated requests`,
    );
    lines.push(
      ...(problems.length === 0 ? ['no double claim, no lost write, no error'] : problems.slice(0, 20)),
    );
  } catch (error) {
    problems.push(`the chaos run stopped: ${(error as Error).message}`);
    lines.push(problems.at(-1) ?? '');
  } finally {
    if (stack) {
      const group = stack.launched.child.pid ?? 0;
      await stack.stop('SIGTERM');
      for (const pid of membersOf(group)) process.kill(pid, 'SIGTERM');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    ok: problems.length === 0,
    items: ITEMS,
    acknowledgedCompletions: acked.length,
    staleWrites,
    duplicatedRequests,
    lines,
  };
};
