import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanArrayFile, scanValue, scanValueStream } from '../../../../cli/legacy/json-scan';
import { createLocator } from '../../../../cli/legacy/locate';

const values = (container: { elements: readonly { value: unknown }[] }) =>
  container.elements.map((e) => e.value);

describe('scanValue', () => {
  it('finds the end of a nested value', () => {
    const text = ' {"a": [1, 2.5e3, {"b": "x\\"y\\u00e9"}], "c": null} tail';
    const scanned = scanValue(text, 0);
    expect(scanned).toEqual({ end: text.indexOf(' tail') });
  });

  it('names a bare word where a value should be', () => {
    const scanned = scanValue('{"capacity": eighty}', 0);
    expect(scanned).toEqual({
      issue: { at: 13, message: "expected a JSON value, found the bare word 'eighty'" },
    });
  });

  it('reports an unterminated string at the end of the text', () => {
    const text = '{"a": "open';
    expect(scanValue(text, 0)).toEqual({ issue: { at: text.length, message: 'unterminated string' } });
  });

  it('agrees with JSON.parse on whether any JSON text is valid', () => {
    fc.assert(
      fc.property(fc.json(), fc.integer({ min: 0, max: 40 }), (json, cut) => {
        const text = cut === 0 ? json : json.slice(0, Math.max(0, json.length - cut));
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const scanned = scanValue(text, 0);
        const whole = 'end' in scanned && text.slice(scanned.end).trim() === '';
        expect(whole).toBe(valid);
      }),
    );
  });
});

describe('scanArrayFile', () => {
  it('reads every element of a valid array', () => {
    const scanned = scanArrayFile('[{"a": 1}, {"a": 2}]\n', { salvage: false });
    expect(scanned.shape).toBe('array');
    expect(values(scanned)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(scanned.damage).toEqual([]);
  });

  it('reports an empty file as damage at offset 0', () => {
    const scanned = scanArrayFile('', { salvage: true });
    expect(scanned.shape).toBe('empty');
    expect(scanned.damage).toEqual([
      { at: 0, from: 0, index: 0, message: 'the file is empty (no JSON array)' },
    ]);
  });

  it('stops at the first damaged element without salvage', () => {
    const text = '[{"a": 1}, {"a": bad}, {"a": 3}]';
    const scanned = scanArrayFile(text, { salvage: false });
    expect(values(scanned)).toEqual([{ a: 1 }]);
    expect(scanned.damage).toHaveLength(1);
    expect(scanned.damage[0]).toMatchObject({
      at: text.indexOf('bad'),
      index: 1,
      from: text.indexOf('{"a": bad'),
    });
    expect(scanned.damage[0]?.resumedAt).toBeUndefined();
  });

  it('skips to the next whole record with salvage, ignoring nested objects', () => {
    const text = '[\n {"a": 1},\n {"a": bad, "n": {"x": 1}},\n {"a": 3}\n]';
    const scanned = scanArrayFile(text, { salvage: true });
    expect(values(scanned)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(scanned.damage[0]).toMatchObject({ index: 1, resumedAt: text.indexOf('{"a": 3}') });
    expect(scanned.elements.map((e) => e.index)).toEqual([0, 2]);
  });

  it('recovers the record after a missing comma', () => {
    const scanned = scanArrayFile('[{"a": 1} {"a": 2}]', { salvage: true });
    expect(values(scanned)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(scanned.damage).toHaveLength(1);
  });

  it('refuses the bare objects written without jq unless salvaging, then reads them', () => {
    const text = '  {"a": 1},\n  {"a": 2},\n]\n';
    expect(values(scanArrayFile(text, { salvage: false }))).toEqual([]);
    const salvaged = scanArrayFile(text, { salvage: true });
    expect(salvaged.shape).toBe('bare-values');
    expect(values(salvaged)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(salvaged.damage[0]?.message).toContain('without jq');
  });

  it('reports data after the closing bracket', () => {
    const scanned = scanArrayFile('[1] [2]', { salvage: false });
    expect(values(scanned)).toEqual([1]);
    expect(scanned.damage[0]).toMatchObject({ at: 4, message: "unexpected '[' after the end of the array" });
  });

  it('keeps a leading byte order mark out of the way', () => {
    expect(values(scanArrayFile('\uFEFF[1]', { salvage: false }))).toEqual([1]);
  });
});

describe('scanValueStream', () => {
  it('reads concatenated pretty-printed objects and skips a broken one', () => {
    const text = '{\n  "a": 1\n}\n{\n  "b": {\n    "c": \n}\n}\n{\n  "a": 3\n}\n';
    const scanned = scanValueStream(text);
    expect(values(scanned)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(scanned.damage).toHaveLength(1);
    expect(scanned.damage[0]).toMatchObject({ index: 1, resumedAt: text.lastIndexOf('{\n  "a": 3') });
  });

  it('reads one compact object per line', () => {
    expect(values(scanValueStream('{"a":1}\n{"a":2}\n'))).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('createLocator', () => {
  it('counts bytes of multi-byte characters and lines', () => {
    const text = 'é\n€😀x';
    const locator = createLocator(text);
    expect(locator.byte(text.indexOf('x'))).toBe(Buffer.byteLength('é\n€😀'));
    expect(locator.position(text.indexOf('x'))).toEqual({ byte: 10, line: 2, column: 4 });
  });

  it('gives the same byte offsets as Buffer for any text and index', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 9000 }), fc.nat(), (text, seed) => {
        const picked = text.length === 0 ? 0 : seed % text.length;
        // Positions the scanner reports never split a surrogate pair.
        const splitsPair = /[\uD800-\uDBFF]/.test(text.charAt(picked - 1));
        const at = splitsPair ? picked - 1 : picked;
        expect(createLocator(text).byte(at)).toBe(Buffer.byteLength(text.slice(0, at)));
      }),
      { numRuns: 50 },
    );
  });
});
