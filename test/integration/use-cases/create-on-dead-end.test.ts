import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelWork } from '#app/use-cases/cancel-work';
import { createWork } from '#app/use-cases/create-work';
import { unique } from '#test/support/builders';
import { createTestStore, type TestStore } from '#test/support/dynamo';
import type { CollectingPublisher } from '#test/support/escalations';
import { asAdmin, type UseCaseDeps, useCaseDeps } from './fixture';

let store: TestStore;
let deps: UseCaseDeps;

beforeAll(async () => {
  store = await createTestStore('uc-dead-end');
  deps = useCaseDeps(store);
});

afterAll(async () => {
  await store.cleanup();
});

const publisher = () => deps.escalationPublisher as CollectingPublisher;

describe('creating an item on a dependency that cannot complete', () => {
  it('asks the dependency_failed escalation at once, not at the next sweep', async () => {
    const team = `t-${unique()}`;
    const dependency = await createWork(deps, asAdmin(), { type: 'build', title: 'dep', team });
    await cancelWork(deps, asAdmin(), { id: dependency.id });
    publisher().drain();

    const dependent = await createWork(deps, asAdmin(), {
      type: 'build',
      title: 'dependent',
      team,
      dependsOn: [dependency.id],
    });

    expect(dependent.status).toBe('blocked');
    expect(publisher().drain()).toEqual([
      expect.objectContaining({
        workId: dependent.id,
        kind: 'dependency_failed',
        details: { cause: 'created', dependencies: [dependency.id] },
      }),
    ]);
  });

  it('asks nothing when the dependencies are open', async () => {
    const team = `t-${unique()}`;
    const dependency = await createWork(deps, asAdmin(), { type: 'build', title: 'dep', team });
    publisher().drain();

    await createWork(deps, asAdmin(), {
      type: 'build',
      title: 'dependent',
      team,
      dependsOn: [dependency.id],
    });

    expect(publisher().drain()).toEqual([]);
  });
});
