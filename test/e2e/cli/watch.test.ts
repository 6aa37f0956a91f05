import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createWork, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { type CoordChild, coordMachine } from './coord';

interface Printed {
  readonly type: string;
  readonly cursor: string;
  readonly data: { entityId: string };
}

const printed = (child: CoordChild): Printed[] =>
  child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Printed);

const createdIds = (child: CoordChild): string[] =>
  printed(child)
    .filter((message) => message.type === 'work.created')
    .map((message) => message.data.entityId);

/** Waits until `check` holds (polling every 200 ms, 60 s at most). */
const until = async (what: string, check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(200);
  }
};

/** The file a watch of one team keeps its cursor in. */
const cursorFileOf = (machine: ReturnType<typeof coordMachine>, team: string): string =>
  join(
    machine.env.COORD_STATE_DIR as string,
    encodeURIComponent(stackClients().url),
    'watch',
    `${encodeURIComponent(`team:${team}`)}.json`,
  );

const stop = async (child: CoordChild): Promise<void> => {
  child.child.kill('SIGTERM');
  await child.done;
};

describe('coord watch against the local stack', () => {
  it('prints events, and after a restart prints the ones it missed once, then new ones', async () => {
    // Arrange: a watch of a fresh team, started (its cursor saved) before anything happens
    const team = uniqueName('watch');
    const machine = coordMachine('admin');
    const cursorFile = cursorFileOf(machine, team);
    const first = machine.start(['watch', '--channel', `team:${team}`, '--json']);
    await until('the first cursor', () => existsSync(cursorFile));

    // Act: one item while it runs; two while it is stopped; one after the restart
    const seen = await createWork(team);
    await until('the first item', () => createdIds(first).includes(seen.id));
    await stop(first);
    const missed = [await createWork(team), await createWork(team)];
    await createWork(uniqueName('elsewhere'));
    const second = machine.start(['watch', '--channel', `team:${team}`, '--json']);
    await until('the missed items', () => createdIds(second).length >= 2);
    const later = await createWork(team);
    await until('the new item', () => createdIds(second).includes(later.id));
    await stop(second);

    // Assert: every item once, in order, none twice across the restart
    expect(createdIds(first)).toEqual([seen.id]);
    expect(createdIds(second)).toEqual([...missed, later].map((item) => item.id));
    const saved = JSON.parse(readFileSync(cursorFile, 'utf8')) as { key: string; cursor: string };
    expect(saved.key).toBe(`team:${team}`);
    expect(printed(second).at(-1)?.cursor).toBe(saved.cursor);
  });

  it('runs --exec once per event with the message on stdin and its type and cursor in the environment', async () => {
    const team = uniqueName('watch');
    const machine = coordMachine('admin');
    const out = join(machine.env.HOME as string, 'events.log');
    const child = machine.start([
      'watch',
      '--channel',
      `team:${team}`,
      '--exec',
      `printf '%s %s ' "$COORD_EVENT_TYPE" "$COORD_EVENT_CURSOR" >> '${out}'; cat >> '${out}'`,
    ]);
    await until('the first cursor', () => existsSync(cursorFileOf(machine, team)));

    const item = await createWork(team);
    await until('the command to run', () => existsSync(out) && readFileSync(out, 'utf8').includes(item.id));
    await stop(child);

    const [line] = readFileSync(out, 'utf8').trim().split('\n');
    const [type, cursor, ...json] = (line ?? '').split(' ');
    const message = JSON.parse(json.join(' ')) as Printed;
    expect(type).toBe('work.created');
    expect(message).toMatchObject({ type: 'work.created', cursor, data: { entityId: item.id } });
  });

  it('refuses a channel the token may not join with exit 1 and the service’s answer', async () => {
    const run = await coordMachine('none').run(['watch', '--channel', 'admin'], {
      COORD_TOKEN: (await stackClients().admin.post<{ token: string }>('/v1/tokens', { role: 'viewer' })).body
        .token,
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('403');
  });
});
