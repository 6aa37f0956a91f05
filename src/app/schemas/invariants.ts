/** Invariants on the wire: the path parameter, the list and the repair's answer. */
import type { Static } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { INVARIANT_NAMES } from '#core/invariants';
import { Closed, literalUnion, Timestamp } from './common';

const InvariantNameSchema = literalUnion(INVARIANT_NAMES);

/** Path parameter `{name}` of `POST /v1/invariants/{name}/repair`. */
export const InvariantNameParams = Closed({ name: Type.String({ minLength: 1, maxLength: 64 }) });
export type InvariantNameParams = Static<typeof InvariantNameParams>;

const ViolationView = Closed(
  { entityId: Type.String(), detail: Type.String() },
  { description: 'A record that breaks the invariant, and why.' },
);

const RoundView = Closed(
  {
    startedAt: Timestamp,
    checkedAt: Timestamp,
    checked: Type.Integer({ minimum: 0, description: 'Records looked at in this round.' }),
    violations: Type.Integer({ minimum: 0 }),
    examples: Type.Array(ViolationView, { maxItems: 20 }),
  },
  { description: 'One round of a check: from its first page to its last, a page per sweep.' },
);

/** One invariant with its last results. */
export const InvariantView = Closed({
  name: InvariantNameSchema,
  ok: Type.Boolean({ description: 'No violation in the last whole round nor in the round under way.' }),
  checkedAt: Type.Optional(Timestamp),
  violations: Type.Integer({ minimum: 0 }),
  examples: Type.Array(ViolationView, { maxItems: 20 }),
  description: Type.String(),
  status: literalUnion(['ok', 'violated', 'unchecked'] as const),
  lastRound: Type.Optional(RoundView),
  currentRound: Type.Optional(RoundView),
  lastRepair: Type.Optional(
    Closed({ at: Timestamp, repaired: Type.Integer({ minimum: 0 }), by: Type.String() }),
  ),
});
export type InvariantView = Static<typeof InvariantView>;

/** `GET /v1/invariants`. */
export const InvariantList = Closed({ items: Type.Array(InvariantView) });
export type InvariantList = Static<typeof InvariantList>;

/** `POST /v1/invariants/{name}/repair`. */
export const RepairResultView = Closed({
  name: InvariantNameSchema,
  repaired: Type.Integer({ minimum: 0, description: 'Records changed, each with an audit event.' }),
  remaining: Type.Array(ViolationView, { description: 'Violations found again right after.' }),
});
export type RepairResultView = Static<typeof RepairResultView>;

/** The invariants' names, for the alarms CDK defines per invariant. */
export { INVARIANT_NAMES };
