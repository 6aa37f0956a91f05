/**
 * Building blocks of e2e tests against the running local stack: clients for its fixed
 * credentials, unique names (tests share one stack), and the few calls most tests start with.
 * Every call goes over HTTP; expectations on the setup calls make a broken setup fail loudly.
 */
import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';
import type { AuditEventView, AuditPage, ClaimView, RegisterAgentResult, WorkView } from '#app/schemas/views';
import { ApiClient } from './http-client';

/** Clients for the e2e stack: anonymous, admin, and the registration key. */
export const stackClients = () => {
  const stack = inject('localStack');
  return {
    url: stack.url,
    anonymous: new ApiClient(stack.url),
    admin: new ApiClient(stack.url, stack.adminToken),
    registration: new ApiClient(stack.url, stack.registrationKey),
  };
};

/** A name no other test uses, valid as a team name and an agent id. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * Settings for a stack of a test's own (`spawnLocalStack`) whose tables live beside the run's
 * stack's, in the same DynamoDB Local, under a prefix of their own: it starts no second one.
 */
export const besideRunStack = (): Record<string, string> => ({
  AWS_ENDPOINT_URL_DYNAMODB: inject('localStack').dynamodbEndpoint,
  COORD_TABLE_PREFIX: uniqueName('own'),
});

/** A registered agent and a client acting with its token. */
export interface TestAgent {
  readonly id: string;
  readonly token: string;
  readonly api: ApiClient;
}

/** Registers an agent with the registration key; expects 201. */
export const registerAgent = async (
  team: string,
  options: { id?: string; capacity?: number; capabilities?: string[]; heartbeatIntervalSec?: number } = {},
): Promise<TestAgent> => {
  const { registration } = stackClients();
  const id = options.id ?? uniqueName('agent');
  const response = await registration.post<RegisterAgentResult>('/v1/agents', {
    id,
    team,
    ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    ...(options.heartbeatIntervalSec === undefined
      ? {}
      : { heartbeatIntervalSec: options.heartbeatIntervalSec }),
  });
  expect(response.status, response.text).toBe(201);
  return { id, token: response.body.token, api: registration.as(response.body.token) };
};

/** Registers `count` agents of one team at once. */
export const registerAgents = (team: string, count: number, options: { capacity?: number } = {}) =>
  Promise.all(
    Array.from({ length: count }, (_, i) => registerAgent(team, { ...options, id: uniqueName(`agent${i}`) })),
  );

/** Creates a work item as admin; expects 201. */
export const createWork = async (team: string, fields: Record<string, unknown> = {}): Promise<WorkView> => {
  const { admin } = stackClients();
  const response = await admin.post<WorkView>('/v1/work', {
    type: 'task',
    title: `work for ${team}`,
    team,
    ...fields,
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
};

/** Claims an item for an agent; expects 200 and returns the claim reply. */
export const claimWork = async (agent: TestAgent, workId: string): Promise<ClaimView> => {
  const response = await agent.api.post<ClaimView>(`/v1/work/${workId}/claim`, { agentId: agent.id });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

/** Reads an item as admin; expects 200. */
export const getWork = async (workId: string): Promise<WorkView> => {
  const response = await stackClients().admin.get<WorkView>(`/v1/work/${workId}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
};

/** Every audit event matching `query` (all pages), as admin. */
export const auditEvents = async (query: Record<string, string>): Promise<AuditEventView[]> => {
  const { admin } = stackClients();
  const events: AuditEventView[] = [];
  let cursor: string | undefined;
  do {
    const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
    const response = await admin.get<AuditPage>(`/v1/audit?${params}`);
    expect(response.status, response.text).toBe(200);
    events.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return events;
};

/** An item's view without the fields that change with the clock alone (urgency ages). */
export const stateOf = (item: WorkView): Omit<WorkView, 'urgency'> => {
  const { urgency: _ignored, ...rest } = item;
  return rest;
};
