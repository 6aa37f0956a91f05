import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_NODE_FLAGS } from '#local/node-flags';

const scripts = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

describe('local runtime node flags', () => {
  it.each(['start', 'bench'])('are passed by npm run %s, which runs the stack in its own process', (name) => {
    const words = (scripts[name] ?? '').split(/\s+/);
    for (const flag of LOCAL_NODE_FLAGS) expect(words).toContain(flag);
  });

  it('are accepted by this Node, and an AsyncLocalStorage context still follows its awaits', () => {
    const program = `
      const { AsyncLocalStorage } = require('node:async_hooks');
      const storage = new AsyncLocalStorage();
      const later = () => new Promise((resolve) => setTimeout(resolve, 1));
      const seen = (id) => storage.run(id, async () => { await later(); await null; return storage.getStore(); });
      Promise.all([seen('a'), seen('b')]).then((ids) => process.stdout.write(ids.join(',')));
    `;
    const output = execFileSync(process.execPath, [...LOCAL_NODE_FLAGS, '-e', program], { encoding: 'utf8' });
    expect(output).toBe('a,b');
  });
});
