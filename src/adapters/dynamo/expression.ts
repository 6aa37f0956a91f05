/**
 * Builds DynamoDB expressions from named parts. Every attribute goes through
 * `ExpressionAttributeNames` (so reserved words such as `status` or `version` are safe) and every
 * value through a placeholder; only what an expression uses is sent, as DynamoDB requires.
 */
export class Expression {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private nextValue = 0;

  /** The placeholder of an attribute name, e.g. `#status`. */
  name(attribute: string): string {
    const base = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let placeholder = base;
    for (
      let suffix = 1;
      this.names[placeholder] !== undefined && this.names[placeholder] !== attribute;
      suffix += 1
    ) {
      placeholder = `${base}_${suffix}`;
    }
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** The placeholder of a nested path, e.g. `#stats.#completed`. */
  path(...attributes: readonly string[]): string {
    return attributes.map((attribute) => this.name(attribute)).join('.');
  }

  /** The placeholder of a value, e.g. `:v0`. */
  value(value: unknown): string {
    const placeholder = `:v${this.nextValue}`;
    this.nextValue += 1;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `ExpressionAttributeNames` and `ExpressionAttributeValues`, each left out when empty. */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ...(Object.keys(this.names).length > 0 && { ExpressionAttributeNames: { ...this.names } }),
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: { ...this.values } }),
    };
  }
}

/** The conjunction of the given conditions (absent ones are left out); `undefined` when none is left. */
export const allOf = (...conditions: readonly (string | undefined | false)[]): string | undefined => {
  const present = conditions.filter((condition): condition is string => typeof condition === 'string');
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : present.map((condition) => `(${condition})`).join(' AND ');
};

/** The disjunction of the given conditions. */
export const anyOf = (...conditions: readonly string[]): string =>
  conditions.length === 1
    ? (conditions[0] ?? '')
    : conditions.map((condition) => `(${condition})`).join(' OR ');
