import { describe, expect, it } from 'vitest';
import { presentWork } from '#app/presenters';
import { DEFAULT_SETTINGS } from '#core/settings';
import { aWorkItem } from '#test/support/builders';
import { openApiMismatch } from '#test/support/openapi-replies';

const JSON_TYPE = 'application/json; charset=utf-8';
const item = presentWork(aWorkItem({ description: 'Write it well' }), new Date(), DEFAULT_SETTINGS);
const notFound = { error: { code: 'not_found', message: 'No such work item.', details: {} } };

describe('the check of replies against /openapi.json', () => {
  it('accepts a reply the document describes, success and error alike', () => {
    expect(
      openApiMismatch('GET', `http://127.0.0.1:3000/v1/work/${item.id}?flags=1`, 200, JSON_TYPE, item),
    ).toBe(undefined);
    expect(openApiMismatch('GET', `/v1/work/${item.id}`, 404, JSON_TYPE, notFound)).toBe(undefined);
    expect(openApiMismatch('POST', '/v1/work/claim-next', 204, null, undefined)).toBe(undefined);
  });

  it('fails a body of the wrong shape', () => {
    const mismatch = openApiMismatch('GET', `/v1/work/${item.id}`, 200, JSON_TYPE, {
      ...item,
      progress: 'half',
    });

    expect(mismatch).toMatch(/^GET \/v1\/work\/\{id\} -> 200: .*progress.*must be number/);
  });

  it('fails a body with a field the schema does not have', () => {
    expect(
      openApiMismatch('GET', `/v1/work/${item.id}`, 200, JSON_TYPE, { ...item, claimToken: 'secret' }),
    ).toMatch(/must NOT have additional properties/);
  });

  it('fails a status the operation does not document', () => {
    expect(openApiMismatch('GET', `/v1/work/${item.id}`, 418, JSON_TYPE, notFound)).toMatch(
      /GET \/v1\/work\/\{id\} -> 418: status not documented \(documented: 200, .*404/,
    );
    expect(openApiMismatch('POST', 'http://127.0.0.1:3000/v1/work/claim-next', 202, null, undefined)).toMatch(
      /POST \/v1\/work\/claim-next -> 202: status not documented/,
    );
  });

  it('fails a body that lacks a required field', () => {
    const { title: _title, ...untitled } = item;

    expect(openApiMismatch('GET', `/v1/work/${item.id}`, 200, JSON_TYPE, untitled)).toMatch(
      /must have required property 'title'/,
    );
    expect(
      openApiMismatch('GET', `/v1/work/${item.id}`, 404, JSON_TYPE, {
        error: { code: 'not_found', details: {} },
      }),
    ).toMatch(/must have required property 'message'/);
  });

  it('fails an error of a code the status does not document, and an error not in the error shape', () => {
    expect(
      openApiMismatch('GET', `/v1/work/${item.id}`, 404, JSON_TYPE, {
        error: { code: 'agent_exists', message: 'x', details: {} },
      }),
    ).toMatch(/must be equal to one of the allowed values/);
    expect(
      openApiMismatch('POST', '/v1/work', 413, JSON_TYPE, { message: 'Request Entity Too Large' }),
    ).toMatch(/must have required property 'error'/);
  });

  it('fails a missing body where one is documented, and a body where none is', () => {
    expect(openApiMismatch('GET', `/v1/work/${item.id}`, 200, 'text/plain', undefined)).toMatch(
      /no JSON body/,
    );
    expect(openApiMismatch('GET', `/v1/work/${item.id}`, 200, null, undefined)).toMatch(/no JSON body/);
    expect(openApiMismatch('POST', '/v1/work/claim-next', 204, JSON_TYPE, item)).toMatch(
      /a JSON body where the document describes none/,
    );
  });

  it('picks the literal path over a template, and leaves requests the document does not describe alone', () => {
    expect(openApiMismatch('POST', '/v1/work/claim-next', 200, JSON_TYPE, item)).toMatch(
      /^POST \/v1\/work\/claim-next -> 200:/,
    );
    expect(openApiMismatch('GET', '/v1/nowhere', 404, JSON_TYPE, { message: 'Not Found' })).toBe(undefined);
    const wrongMethod = {
      error: { code: 'method_not_allowed', message: 'Use POST.', details: { allow: ['POST'] } },
    };
    expect(openApiMismatch('GET', '/v1/work/claim-next', 405, JSON_TYPE, wrongMethod)).toBe(undefined);
  });
});
