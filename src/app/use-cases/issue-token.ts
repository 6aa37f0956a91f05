import { auditEvent } from '#core/audit';
import { ValidationError } from '#core/errors';
import { Action } from '#core/events';
import { EntityType } from '#core/model';
import type { Ports } from '#core/ports';
import { Role } from '#core/roles';
import { addSeconds, iso } from '#core/time';
import type { RequestContext } from '../context';
import type { IssueTokenBody } from '../schemas/admin';
import type { TokenIssued } from '../schemas/views';
import { changeContextOf } from './shared/context';
import { decideAndCommit } from './shared/optimistic';
import { type DrawnToken, drawToken } from './shared/tokens';

const SECONDS_PER_DAY = 24 * 60 * 60;

/** Roles a team can limit: a team on any other token would be echoed yet not enforced. */
const TEAM_LIMITED_ROLES: readonly string[] = [Role.Registration, Role.Member];

/**
 * `POST /v1/tokens` (admin): issue a viewer, admin, registration or member token (shown once);
 * `team` limits a registration token (or a member's messages) to that team; `expiresInDays` ends it that many days from now.
 * 0. refuse `team` for a role it cannot limit (400 on `/team`); 1. draw `<tokenId>.<secret>` (only the secret's hash is stored); 2. commit the record with a
 * `token.issued` event (never the secret); a taken id draws another.
 */
export const issueToken = async (
  deps: Pick<Ports, 'clock' | 'ids' | 'hasher' | 'uow'>,
  ctx: RequestContext,
  body: IssueTokenBody,
): Promise<TokenIssued> => {
  if (body.team !== undefined && !TEAM_LIMITED_ROLES.includes(body.role)) {
    throw new ValidationError([
      {
        path: '/team',
        message: `cannot limit a ${body.role} token; only ${TEAM_LIMITED_ROLES.join(' and ')} tokens take a team`,
      },
    ]);
  }
  const cctx = changeContextOf(deps, ctx);
  const { expiresInDays, ...fields } = body;
  const expiry =
    expiresInDays === undefined ? {} : { expiresAt: addSeconds(cctx.now, expiresInDays * SECONDS_PER_DAY) };
  const draw = () => drawToken(deps, { ...fields, ...expiry, createdAt: iso(cctx.now) });
  return decideAndCommit<DrawnToken, TokenIssued>(
    deps.uow,
    draw(),
    (token) => ({
      change: {
        writes: [{ kind: 'tokenPut', token: token.record }],
        events: [
          auditEvent(cctx, {
            action: Action.TokenIssued,
            entityType: EntityType.Token,
            entityId: token.id,
            seq: 1,
            after: {
              role: body.role,
              ...(body.team ? { team: body.team } : {}),
              ...(body.label ? { label: body.label } : {}),
              ...expiry,
            },
          }),
        ],
      },
      result: {
        id: token.id,
        token: token.bearer,
        role: body.role,
        ...(body.team ? { team: body.team } : {}),
        ...expiry,
      },
    }),
    async () => draw(),
  );
};
