import { auditEvent } from '#core/audit';
import { agentIdOf } from '#core/authz';
import { Action } from '#core/events';
import {
  assertBodySize,
  assertMayPost,
  assertMentions,
  distinctMentions,
  type Message,
  type MessagePlace,
  recipientsOf,
} from '#core/messages';
import { EntityType } from '#core/model';
import type { Ports, Write } from '#core/ports';
import type { Principal } from '#core/roles';
import { addSeconds, iso } from '#core/time';
import type { RequestContext } from '../../context';
import type { MessageView, PostMessageBody } from '../../schemas/messages-thread';
import { currentSettings, type SettingsDeps } from '../../settings';
import { changeContextOf } from '../shared/context';
import { requireAgent, requireWork } from '../shared/lookups';
import { presentMessage } from './present-message';

const SECONDS_PER_DAY = 24 * 60 * 60;

export type PostMessageDeps = Pick<Ports, 'clock' | 'ids' | 'work' | 'agents' | 'uow'> & SettingsDeps;

/** The team of the agent a principal acts as (`undefined` for other roles, or an agent that is gone). */
const agentTeamOf = async (
  deps: Pick<Ports, 'agents'>,
  principal: Principal,
): Promise<string | undefined> => {
  const agentId = agentIdOf(principal);
  return agentId === undefined ? undefined : (await deps.agents.get(agentId))?.team;
};

/** The team of each mentioned agent that exists. */
const teamsOfAgents = async (
  deps: Pick<Ports, 'agents'>,
  agentIds: readonly string[],
): Promise<Map<string, string>> => {
  const agents = await Promise.all(agentIds.map((id) => deps.agents.get(id)));
  return new Map(agents.flatMap((agent) => (agent ? [[agent.id, agent.team] as const] : [])));
};

/**
 * Posts one message in `team`, to its thread (`workId`) or to an agent's inbox (`to`).
 * 1. check the poster may post in the team (403) and the body's size (400 `/body`); 2. check every
 * mention names an agent of the team (400 `/mentions/<i>`); 3. commit, in one transaction, the
 * thread row, one inbox row per addressed or mentioned agent (each expiring after
 * `messageRetentionDays`) and the `message` audit event, which the broadcaster sends live.
 */
const post = async (
  deps: PostMessageDeps,
  ctx: RequestContext,
  target: { readonly team: string; readonly workId?: string; readonly to?: string },
  body: PostMessageBody,
): Promise<MessageView> => {
  assertMayPost(ctx.principal, { team: target.team, agentTeam: await agentTeamOf(deps, ctx.principal) });
  assertBodySize(body.body);
  const mentions = distinctMentions(body.mentions);
  assertMentions(mentions, await teamsOfAgents(deps, mentions), target.team);
  const { messageRetentionDays } = await currentSettings(deps);
  const cctx = changeContextOf(deps, ctx);
  const message: Message = {
    id: deps.ids.messageId(),
    at: iso(cctx.now),
    from: cctx.actor,
    body: body.body,
    mentions,
    team: target.team,
    ...(target.workId !== undefined && { workId: target.workId }),
    ...(target.to !== undefined && { to: target.to }),
  };
  const expiresAt = addSeconds(cctx.now, messageRetentionDays * SECONDS_PER_DAY);
  const places: MessagePlace[] = [
    ...(target.workId === undefined ? [] : [{ workId: target.workId }]),
    ...recipientsOf(message).map((inbox) => ({ inbox })),
  ];
  const view = presentMessage(message);
  await deps.uow.commit({
    writes: places.map((place): Write => ({ kind: 'message', message, place, expiresAt })),
    events: [
      auditEvent(cctx, {
        action: Action.Message,
        entityType: EntityType.Message,
        entityId: message.id,
        seq: 1,
        team: target.team,
        ...(target.to !== undefined && { agentId: target.to }),
        after: { ...view, recipients: recipientsOf(message) },
      }),
    ],
  });
  return view;
};

/**
 * `POST /v1/work/{id}/messages`: a message on the item's thread; see {@link post} for the steps.
 * @throws NotFoundError when there is no such item.
 * @throws ForbiddenError when the caller may not post in the item's team.
 * @throws ValidationError for a body over 8 KB or a mention of no agent of the team.
 */
export const postWorkMessage = async (
  deps: PostMessageDeps,
  ctx: RequestContext,
  input: PostMessageBody & { readonly id: string },
): Promise<MessageView> => {
  const { id, ...body } = input;
  const item = await requireWork(deps, id);
  return post(deps, ctx, { team: item.team, workId: item.id }, body);
};

/**
 * `POST /v1/agents/{id}/messages`: a direct message to the agent's inbox; see {@link post}.
 * @throws NotFoundError when there is no such agent.
 * @throws ForbiddenError when the caller may not post in the agent's team.
 * @throws ValidationError for a body over 8 KB or a mention of no agent of the team.
 */
export const postAgentMessage = async (
  deps: PostMessageDeps,
  ctx: RequestContext,
  input: PostMessageBody & { readonly id: string },
): Promise<MessageView> => {
  const { id, ...body } = input;
  const agent = await requireAgent(deps, id);
  return post(deps, ctx, { team: agent.team, to: agent.id }, body);
};
