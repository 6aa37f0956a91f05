import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '#functions/shared/routes';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

describe('the route entries', () => {
  it.each(ROUTES)('$entry exports the handler of $id', async (route) => {
    const module = (await import(pathToFileURL(join(PROJECT_ROOT, route.entry)).href)) as {
      handler?: unknown;
    };

    expect(typeof module.handler).toBe('function');
  });
});
