import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors';
import { cursorSigner, signerFor } from '#functions/shared/signed-cursors';

describe('signed list cursors', () => {
  const signer = cursorSigner(Buffer.alloc(32, 7));

  it('opens what it signed', () => {
    expect(signer.open(signer.sign('eyJsIjoid29yayJ9'))).toBe('eyJsIjoid29yayJ9');
  });

  it('refuses a cursor without a signature, with another one, or signed with another key', () => {
    const signed = signer.sign('eyJsIjoid29yayJ9');
    const other = cursorSigner(Buffer.alloc(32, 8)).sign('eyJsIjoid29yayJ9');

    for (const cursor of ['eyJsIjoid29yayJ9', `${signed}x`, other, `.${signed.split('.')[1]}`, '']) {
      expect(() => signer.open(cursor)).toThrow(ValidationError);
    }
  });

  it('signs alike in every process of a deployment with the same secrets, and not otherwise', () => {
    const cursor = 'eyJsIjoid29yayJ9';
    const signed = signerFor({ adminToken: 'a', registrationKey: 'r' }).sign(cursor);

    expect(signerFor({ adminToken: 'a', registrationKey: 'r' }).open(signed)).toBe(cursor);
    expect(() => signerFor({ adminToken: 'b', registrationKey: 'r' }).open(signed)).toThrow(ValidationError);
    expect(() => signerFor({}).open(signed)).toThrow(ValidationError);
  });
});
