import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '#core/errors';
import type { Agent, WorkItem } from '#core/model';
import type { Change } from '#core/ports';
import { cancelWork, retryWork } from '#core/work/admin-actions';
import { claimWork, reassignWork } from '#core/work/claim';
import { completeWork, expireLease, failWork, releaseWork, reportProgress } from '#core/work/holder-actions';
import { isHeld } from '#core/work/status';
import type { WorkDecision } from '#core/work/write';
import { anAgent, aWorkItem, NOW, workContext } from '../builders';

/**
 * A store with the same conditions the DynamoDB adapter enforces (versioned puts, the guarded
 * claim counter, unique event seq per entity), so decisions taken on stale reads race the way
 * they do for real. Here only to exercise the pure decisions; store behaviour itself is tested
 * against DynamoDB Local.
 */
interface Store {
  readonly items: ReadonlyMap<string, WorkItem>;
  readonly agents: ReadonlyMap<string, Agent>;
  readonly seqs: ReadonlySet<string>;
}

const commit = (store: Store, change: Change): Store | undefined => {
  const items = new Map(store.items);
  const agents = new Map(store.agents);
  for (const write of change.writes) {
    if (write.kind === 'work') {
      const current = items.get(write.item.id);
      if ((current?.version ?? null) !== write.expectedVersion) return undefined;
      items.set(write.item.id, write.item);
    } else if (write.kind === 'agent') {
      const current = agents.get(write.agent.id);
      if ((current?.version ?? null) !== write.expectedVersion) return undefined;
      agents.set(write.agent.id, write.agent);
    } else if (write.kind === 'agentClaims') {
      const agent = agents.get(write.agentId);
      if (!agent) return undefined;
      const activeClaims = agent.activeClaims + write.delta;
      if (write.delta > 0 && (activeClaims > agent.capacity || agent.retirement)) return undefined;
      if (activeClaims < 0) return undefined;
      agents.set(agent.id, { ...agent, activeClaims, version: agent.version + 1 });
    }
  }
  const seqs = new Set(store.seqs);
  for (const event of change.events) {
    const key = `${event.entityId}#${event.seq}`;
    if (seqs.has(key)) return undefined;
    seqs.add(key);
  }
  return { items, agents, seqs };
};

const AGENTS = ['ag-1', 'ag-2', 'ag-3'];
const HOLDER_OPS = ['progress', 'complete', 'fail', 'release'];
const ITEMS = ['wi-1', 'wi-2', 'wi-3', 'wi-4'];

const operation = fc.record({
  kind: fc.constantFrom(
    'claim',
    'claim',
    'progress',
    'complete',
    'fail',
    'release',
    'reassign',
    'cancel',
    'retry',
    'expire',
  ),
  agent: fc.constantFrom(...AGENTS),
  item: fc.constantFrom(...ITEMS),
  /** How many states back the deciding read was taken (0 = the latest). */
  lag: fc.nat({ max: 3 }),
  /** Use a token the agent once got for the item (possibly superseded) or a made-up one. */
  rememberedToken: fc.boolean(),
  flag: fc.boolean(),
  minutesLater: fc.nat({ max: 8 }),
});

describe('the work state machine', () => {
  it('never yields two holders, an unheld claim, a write with a stale token, or activeClaims out of step', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 2 }),
        (ops, capacity) => {
          const initial: Store = {
            items: new Map(
              ITEMS.map((id) => [id, aWorkItem({ id, maxAttempts: 2, readyAt: NOW.toISOString() })]),
            ),
            agents: new Map(AGENTS.map((id) => [id, anAgent({ id, capacity })])),
            seqs: new Set(ITEMS.map((id) => `${id}#1`)),
          };
          const history: Store[] = [initial];
          const tokens = new Map<string, string>(); // `${agent}/${item}` -> last token the agent received
          let now = NOW.getTime();
          let tokenCount = 0;
          let eventCount = 0;

          for (const op of ops) {
            now += op.minutesLater * 60_000;
            const ctx = {
              ...workContext(),
              now: new Date(now),
              ids: {
                eventId: () => {
                  eventCount += 1;
                  return `ev-${eventCount}`;
                },
              },
            };
            const latest = history[history.length - 1] as Store;
            const read = history[Math.max(0, history.length - 1 - op.lag)] as Store;
            const item = read.items.get(op.item) as WorkItem;
            const agent = read.agents.get(op.agent) as Agent;
            const key = `${op.agent}/${op.item}`;
            const token = op.rememberedToken ? (tokens.get(key) ?? 'unknown') : `forged-${tokenCount}`;
            const holder = { token, agentId: op.agent };
            const fresh = () => {
              tokenCount += 1;
              return `tok-${tokenCount}`;
            };
            let decision: WorkDecision | undefined;
            try {
              switch (op.kind) {
                case 'claim':
                  decision = claimWork(item, agent, fresh(), ctx);
                  break;
                case 'progress':
                  decision = reportProgress(item, { ...holder, progress: 50 }, ctx);
                  break;
                case 'complete':
                  decision = completeWork(item, holder, ctx);
                  break;
                case 'fail':
                  decision = failWork(item, { ...holder, reason: 'x', retryable: op.flag }, ctx);
                  break;
                case 'release':
                  decision = releaseWork(item, holder, ctx);
                  break;
                case 'reassign':
                  decision = reassignWork(item, op.flag ? { agent, token: fresh() } : undefined, ctx);
                  break;
                case 'cancel':
                  decision = cancelWork(item, undefined, ctx);
                  break;
                case 'retry':
                  decision = retryWork(item, undefined, ctx);
                  break;
                case 'expire':
                  decision = expireLease(item, ctx);
                  break;
              }
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
            }
            if (!decision) continue;
            expect(JSON.stringify(decision.change.events)).not.toMatch(/tok-\d/);
            const next = commit(latest, decision.change);
            if (!next) continue;
            if (HOLDER_OPS.includes(op.kind)) expect(token).toBe(latest.items.get(op.item)?.claim?.token);
            history.push(next);
            const claim = decision.item.claim;
            if (claim && (op.kind === 'claim' || op.kind === 'reassign'))
              tokens.set(`${claim.agentId}/${op.item}`, claim.token);

            for (const stored of next.items.values()) {
              expect(Boolean(stored.claim)).toBe(isHeld(stored.status));
              const current = AGENTS.filter(
                (a) => stored.claim && tokens.get(`${a}/${stored.id}`) === stored.claim.token,
              );
              expect(current.length).toBeLessThanOrEqual(1);
              expect(stored.attempts).toBeLessThanOrEqual(stored.maxAttempts);
            }
            for (const stored of next.agents.values()) {
              const held = [...next.items.values()].filter((i) => i.claim?.agentId === stored.id).length;
              expect(stored.activeClaims).toBe(held);
              expect(stored.activeClaims).toBeLessThanOrEqual(stored.capacity);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
