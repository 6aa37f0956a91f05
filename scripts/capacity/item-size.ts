/**
 * DynamoDB's item size rules (what WCU and RCU are charged on): attribute names plus values;
 * strings as UTF-8, numbers by significant digits, maps and lists 3 bytes plus 1 per element.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

const numberSize = (value: number): number => {
  const digits = String(Math.abs(value))
    .replace(/[.e+-]/g, '')
    .replace(/^0+/, '').length;
  return Math.ceil(Math.max(1, digits) / 2) + 1;
};

/** Bytes DynamoDB counts for one attribute value. */
export const valueSize = (value: unknown): number => {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (value instanceof Set) return [...value].reduce((sum: number, entry) => sum + valueSize(entry), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, entry) => sum + valueSize(entry) + 1, 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (sum, [name, entry]) => sum + utf8(name) + valueSize(entry) + 1,
        0,
      )
    );
  }
  return utf8(String(value));
};

/** Bytes DynamoDB counts for an item. */
export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

/** Write units of writing `bytes` once (1 KB each, rounded up). */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read units of reading `bytes` (4 KB each, rounded up; eventually consistent reads cost half). */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
