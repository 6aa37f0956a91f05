import { describe, expect, it } from 'vitest';
import type { WorkView } from '#app/schemas/views';
import { createWork, getWork, uniqueName } from '#test/support/e2e-fixtures';
import { pollUntil } from '#test/support/http-client';
import { coordMachine } from './coord';

/** `coord run` registering a new agent of `team` with the registration key. */
const runArgs = (team: string, command: readonly string[]) => [
  'run',
  '--agent-id',
  uniqueName('runner'),
  '--team',
  team,
  '--',
  ...command,
];

describe('coord run against the local stack', () => {
  it('completes the item when the command succeeds, with the item in its environment', async () => {
    const team = uniqueName('run');
    const item = await createWork(team, { title: 'succeeds' });

    const run = await coordMachine('registration').run(
      runArgs(team, ['sh', '-c', 'echo "working on $COORD_WORK_ID ($COORD_WORK_TITLE) as $AGENT_ID"']),
    );

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`CLAIMED: ${item.id} succeeds`);
    expect(run.stdout).toMatch(new RegExp(`working on ${item.id} \\(succeeds\\) as runner-`));
    expect(run.stdout).toContain(`COMPLETE: ${item.id} (exit status 0)`);
    expect(await getWork(item.id)).toMatchObject({ status: 'completed', result: { exitCode: 0 } });
  });

  it('reports a retryable failure when the command fails: the item is ready again with one attempt more', async () => {
    const team = uniqueName('run');
    const item = await createWork(team, { title: 'fails', maxAttempts: 3 });

    const run = await coordMachine('registration').run(runArgs(team, ['sh', '-c', 'exit 3']));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL: ${item.id} (exit status 3)`);
    expect(await getWork(item.id)).toMatchObject({
      status: 'ready',
      attempts: 1,
      failure: { reason: 'command exited with status 3', retryable: true },
    });
  });

  it('releases the item when it is interrupted while the command runs', async () => {
    const team = uniqueName('run');
    const item = await createWork(team, { title: 'interrupted' });
    const running = coordMachine('registration').start(runArgs(team, ['sleep', '120']));
    await pollUntil(
      () => getWork(item.id),
      (view: WorkView) => view.status === 'claimed' && running.stdout().includes('CLAIMED'),
      { timeoutMs: 60_000, what: 'the item claimed by coord run' },
    );

    running.child.kill('SIGTERM');
    const run = await running.done;

    expect(run.stdout).toContain(`RELEASE: ${item.id} (signal SIGTERM)`);
    const released = await getWork(item.id);
    expect(released).toMatchObject({ status: 'ready', attempts: 0 });
    expect(released).not.toHaveProperty('claim');
  });
});
