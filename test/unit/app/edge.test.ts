import { describe, expect, it } from 'vitest';
import { corsHeaders, edgeAnswer, parseCorsOrigins, tooLargeAnswer } from '#app/edge';

const request = { method: 'DELETE', rawPath: '/v1/work/w1', requestId: 'r-1', corsOrigins: [] as string[] };

describe('parseCorsOrigins', () => {
  it('reads none from an unset or empty value', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins(' , ')).toEqual([]);
  });

  it('reads comma-separated origins, trimmed', () => {
    expect(parseCorsOrigins(' https://a.example ,http://localhost:5173,*')).toEqual([
      'https://a.example',
      'http://localhost:5173',
      '*',
    ]);
  });
});

describe('corsHeaders', () => {
  it('adds nothing when no origin is configured, whatever the request says', () => {
    expect(corsHeaders([], 'https://a.example')).toEqual({});
  });

  it('adds nothing for a request without an origin or from another origin', () => {
    expect(corsHeaders(['https://a.example'], undefined)).toEqual({});
    expect(corsHeaders(['https://a.example'], 'https://a.example.evil')).toEqual({});
    expect(corsHeaders(['https://a.example'], 'http://a.example')).toEqual({});
  });

  it('echoes a configured origin, varying on it', () => {
    expect(corsHeaders(['https://b.example', 'https://a.example'], 'https://a.example')).toMatchObject({
      'access-control-allow-origin': 'https://a.example',
      vary: 'origin',
    });
  });

  it('allows any origin with *', () => {
    expect(corsHeaders(['*'], 'https://z.example')).toMatchObject({ 'access-control-allow-origin': '*' });
  });
});

describe('edgeAnswer', () => {
  it("answers an unknown path in API Gateway's own shape", () => {
    const answer = edgeAnswer({ kind: 'not_found' }, request);

    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body ?? '')).toEqual({ message: 'Not Found' });
  });

  it('answers another method with 405, allow and the request id', () => {
    const answer = edgeAnswer({ kind: 'method_not_allowed', allow: ['GET', 'HEAD'] }, request);

    expect(answer.statusCode).toBe(405);
    expect(answer.headers).toMatchObject({ allow: 'GET, HEAD', 'x-request-id': 'r-1' });
    expect(JSON.parse(answer.body ?? '').error).toEqual({
      code: 'method_not_allowed',
      message: 'DELETE is not allowed on /v1/work/w1; use GET or HEAD.',
      details: { allow: ['GET', 'HEAD'] },
    });
  });

  it('answers OPTIONS with 204 and allow, and a preflight only for a configured origin', () => {
    const resolution = { kind: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] } as const;
    const options = { ...request, method: 'OPTIONS', corsOrigins: ['https://a.example'] };

    const plain = edgeAnswer(resolution, options);
    const other = edgeAnswer(resolution, { ...options, origin: 'https://b.example' });
    const preflight = edgeAnswer(resolution, { ...options, origin: 'https://a.example' });

    expect(plain).toEqual({
      statusCode: 204,
      headers: { allow: 'GET, HEAD, POST, OPTIONS', 'x-request-id': 'r-1' },
    });
    expect(other).toEqual(plain);
    expect(preflight.headers).toMatchObject({
      allow: 'GET, HEAD, POST, OPTIONS',
      'access-control-allow-origin': 'https://a.example',
      'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, idempotency-key',
    });
  });
});

describe('tooLargeAnswer', () => {
  it("is a 413 in the API's error shape, naming the limit", () => {
    const answer = tooLargeAnswer(1024);

    expect(answer.statusCode).toBe(413);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body ?? '')).toEqual({
      error: {
        code: 'payload_too_large',
        message: 'The request body is larger than 1024 bytes.',
        details: { limitBytes: 1024 },
      },
    });
  });
});
