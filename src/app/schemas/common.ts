import type { TSchema } from '@sinclair/typebox';
import { Type } from '#app/schemas/type';
import { AGENT_STATUSES } from '#core/agents/status';
import { INTEGRATION_ID_PREFIX, RESERVED_PRINCIPAL_IDS, TOKEN_ID_PREFIX } from '#core/roles';
import { PATHS_POLICIES } from '#core/settings';
import { MAX_PATH_LENGTH, MAX_PATHS } from '#core/work/paths';
import { PRIORITIES, WORK_STATUSES } from '#core/work/status';
import { freeFormRules } from './json-rules';

/** A union of string literals from an `as const` list, as JSON Schema `enum`-like anyOf. */
export const literalUnion = <T extends string>(
  values: readonly T[],
  options: { description?: string } = {},
) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

/**
 * Text a person or agent wrote (titles, types, reasons, notes, labels): no lone surrogates and no
 * control characters other than tab and newline; lengths count code points.
 */
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, plainText: true });

/** Agent ids (API.md "Conventions"). */
export const AgentId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{2,127}$',
  description: 'Agent id: 3..128 characters, letters, digits and _ . : -, starting with a letter or digit.',
});

/** A regular expression matching `word` in any case, for JSON Schema patterns (which take no flags). */
const anyCase = (word: string): string =>
  [...word]
    .map((char) => (/[a-z]/i.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char))
    .join('');

/** The id of a new agent: an {@link AgentId} that is none of the ids the service acts under. */
export const NewAgentId = Type.String({
  pattern: `^(?!(?:${RESERVED_PRINCIPAL_IDS.map(anyCase).join('|')})$)(?!${anyCase(TOKEN_ID_PREFIX)})(?!${anyCase(INTEGRATION_ID_PREFIX)})[A-Za-z0-9][A-Za-z0-9_.:-]{2,127}$`,
  description: `${AgentId.description} Not ${RESERVED_PRINCIPAL_IDS.join(', ')} (any case), and not starting with ${TOKEN_ID_PREFIX} or ${INTEGRATION_ID_PREFIX}: the service acts under those ids.`,
});

/** Work item ids (server-made, or kept from an import). */
export const WorkId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });

/** Team names. */
export const TeamName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

/** A capability tag. */
export const Capability = Text({ minLength: 1, maxLength: 64 });

/** File globs a work item will touch (API.md "Additions", "No overlapping work"); the core checks each glob's form. */
export const WorkPaths = Type.Array(Text({ minLength: 1, maxLength: MAX_PATH_LENGTH }), {
  maxItems: MAX_PATHS,
  description:
    'Globs relative to the repository root (`*`, `?`, `**`); each also covers what lies below what it matches.',
});

/** What claims do about overlapping `paths` in a team. */
export const PathsPolicySchema = literalUnion(PATHS_POLICIES);

/** ISO 8601 UTC timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

/** A JSON object of any content, without the free-form rules (for replies and inside unions). */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** Free-form caller metadata: any JSON object the store can keep (the body limit bounds its size). */
export const Metadata = Type.Record(Type.String(), Type.Unknown(), freeFormRules('Free-form metadata'));

/** A result: text, or a JSON object under the free-form rules. */
export const WorkResult = Type.Union([Text({ maxLength: 20_000 }), JsonObject], freeFormRules('A result'));

export const WorkStatusSchema = literalUnion(WORK_STATUSES);
export const AgentStatusSchema = literalUnion(AGENT_STATUSES);
export const PrioritySchema = literalUnion(PRIORITIES);

/** A closed object: unknown fields are rejected (API.md "Conventions"). */
export const Closed = <P extends Record<string, TSchema>>(
  properties: P,
  options: { description?: string } = {},
) => Type.Object(properties, { additionalProperties: false, ...options });

/** `?limit=&cursor=` of every list. Query values arrive as strings; Ajv coerces `limit`. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
};

/** Path parameter `{id}`. */
export const IdParams = Closed({ id: Text({ minLength: 1, maxLength: 128 }) });

/**
 * Marks a schema that stands for another one checked apart (an import record, checked record by
 * record): the OpenAPI document shows the other schema in its place. A symbol key, so Ajv and
 * JSON never see it.
 */
export const DOCUMENTED_AS: unique symbol = Symbol.for('coord.openapi.documentedAs');

/** Any value here, checked apart against `schema` (see {@link DOCUMENTED_AS}). */
export const CheckedApart = (schema: TSchema, description: string): TSchema =>
  Object.assign(Type.Unknown({ description }), { [DOCUMENTED_AS]: schema });
