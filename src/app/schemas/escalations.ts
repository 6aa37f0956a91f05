/**
 * Escalations on the wire: the list query, the resolve body, the view, and the
 * message on the `escalations` queue (the producer builds it from a typed request, the consumer
 * checks each body against the same schema).
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { ESCALATION_KINDS, ESCALATION_STATUSES, type EscalationRequest } from '#core/escalations/escalation';
import {
  Closed,
  JsonObject,
  literalUnion,
  Metadata,
  PageQuery,
  TeamName,
  Text,
  Timestamp,
  WorkId,
} from './common';
import { ActorView, PageOf } from './views';

const EscalationKindSchema = literalUnion(ESCALATION_KINDS);
const EscalationStatusSchema = literalUnion(ESCALATION_STATUSES);

/** `GET /v1/escalations`. */
export const ListEscalationsQuery = Closed({
  status: Type.Optional(EscalationStatusSchema),
  team: Type.Optional(TeamName),
  ...PageQuery,
});
export type ListEscalationsQuery = Static<typeof ListEscalationsQuery>;

/** Path parameter `{id}` of an escalation (`<workId>~<kind>~<number>`). */
export const EscalationIdParams = Closed({ id: Text({ minLength: 1, maxLength: 200 }) });
export type EscalationIdParams = Static<typeof EscalationIdParams>;

/** `POST /v1/escalations/{id}/resolve`. */
export const ResolveEscalationBody = Closed({
  note: Type.Optional(Text({ minLength: 1, maxLength: 2000 })),
});
export type ResolveEscalationBody = Static<typeof ResolveEscalationBody>;

/** An escalation (API.md "Read shapes"). */
export const EscalationView = Closed(
  {
    id: Type.String(),
    workId: Type.String(),
    team: Type.String(),
    kind: EscalationKindSchema,
    status: EscalationStatusSchema,
    openedAt: Timestamp,
    resolvedAt: Type.Optional(Timestamp),
    details: JsonObject,
    resolution: Type.Optional(
      Closed({ by: ActorView, note: Type.Optional(Type.String()) }, { description: 'Who resolved it.' }),
    ),
  },
  { description: 'A work item that needs a person.' },
);
export type EscalationView = Static<typeof EscalationView>;

/** A page of escalations. */
export const EscalationPage = PageOf(EscalationView);
export type EscalationPage = Static<typeof EscalationPage>;

/** An escalation request on the `escalations` queue (see `EscalationRequest` in core). */
export const EscalationMessage = Closed({
  workId: WorkId,
  kind: EscalationKindSchema,
  at: Timestamp,
  details: Type.Optional(Metadata),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});
export type EscalationMessage = Static<typeof EscalationMessage> & EscalationRequest;
