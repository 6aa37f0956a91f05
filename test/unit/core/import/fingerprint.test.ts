import { describe, expect, it } from 'vitest';
import { canonicalJson, importFingerprintOf } from '#core/import/fingerprint';
import { anAgent, aWorkItem } from '../builders';

describe('canonicalJson', () => {
  it('writes equal content as equal text whatever the key order', () => {
    const a = { id: 'x', nested: { b: 1, a: [3, { z: 1, y: 2 }] }, team: 't' };
    const b = { team: 't', nested: { a: [3, { y: 2, z: 1 }], b: 1 }, id: 'x' };

    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"id":"x","nested":{"a":[3,{"y":2,"z":1}],"b":1},"team":"t"}');
  });

  it('leaves out undefined members and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [2, 1] })).toBe('{"b":[2,1]}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('keeps null members and null values', () => {
    expect(canonicalJson({ b: null, a: [null, { d: null }] })).toBe('{"a":[null,{"d":null}],"b":null}');
    expect(canonicalJson(null)).toBe('null');
  });

  it('tells different content apart', () => {
    expect(canonicalJson({ progress: 50 })).not.toBe(canonicalJson({ progress: 51 }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('importFingerprintOf', () => {
  it('reads the fingerprint an imported record carries, and nothing from one created through the API', () => {
    expect(importFingerprintOf({ ...aWorkItem(), importFingerprint: 'fp' } as never)).toBe('fp');
    expect(importFingerprintOf(anAgent())).toBeUndefined();
  });
});
