/**
 * `POST /v1/integrations/github` on a deployment without a webhook secret: every delivery,
 * signed or not, is refused with 403 and changes nothing (never a 5xx).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubSignatureOf } from '#functions/shared/signatures';
import { call, useHandlerStore } from './handlers';

const store = useHandlerStore('http-github-unconfigured');

const opened = readFileSync(
  join(import.meta.dirname, '..', '..', 'fixtures', 'github', 'issues.opened.json'),
  'utf8',
);

describe('POST /v1/integrations/github without a configured secret', () => {
  it.each([
    ['signed', { 'x-hub-signature-256': githubSignatureOf('whatever-secret', opened) }],
    ['unsigned', {}],
  ])('refuses a %s delivery with 403 forbidden and creates nothing', async (_, signature) => {
    const answer = await call('githubWebhook', {
      body: opened,
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', ...signature },
    });

    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({
      code: 'forbidden',
      message: 'The github integration is not configured: no webhook secret is set.',
    });
    expect(await store().ports.work.get('gh-octo-org.agent-hub-42')).toBeUndefined();
    expect((await store().ports.audit.list({ limit: 1 })).items).toEqual([]);
  });
});
