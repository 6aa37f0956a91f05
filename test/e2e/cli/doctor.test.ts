import { describe, expect, it } from 'vitest';
import type { AgentViewSchema, WorkView } from '#app/schemas/views';
import { auditEvents, getWork, stackClients, uniqueName } from '#test/support/e2e-fixtures';
import { coordMachine } from './coord';

interface DoctorReport {
  readonly ok: boolean;
  readonly checks: { name: string; status: string; detail: string; data?: Record<string, unknown> }[];
  readonly race?: {
    racers: number;
    team: string;
    workId: string;
    winners: string[];
    conflicts: { agentId: string; status: number; code: string; holder: string }[];
    others: unknown[];
    audit: { claims: number; by: string[]; agrees: boolean };
    cleanup: { cancelled: boolean; retired: number; errors: string[] };
  };
}

describe('coord doctor against the local stack', () => {
  it('races 12 claimers at one probe: one winner, 11 conflicts naming it, audit agrees, probe cleaned up', async () => {
    // Arrange
    const team = uniqueName('doctor');
    const machine = coordMachine('admin');

    // Act
    const run = await machine.run(['doctor', '--race', '12', '--team', team, '--json']);

    // Assert: the report
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(report.checks.map((check) => [check.name, check.status]))).toMatchObject({
      reachable: 'ok',
      auth: 'ok',
      role: 'ok',
    });
    expect(report.checks.find((check) => check.name === 'role')?.detail).toBe('admin');
    expect(report.checks.find((check) => check.name === 'clock')?.status).toMatch(/^(ok|warn)$/);
    const race = report.race;
    if (!race) throw new Error('no race in the report');
    expect(race.winners).toHaveLength(1);
    expect(race.conflicts).toHaveLength(11);
    for (const conflict of race.conflicts) {
      expect(conflict).toMatchObject({ status: 409, holder: race.winners[0] });
    }
    expect(race.audit).toEqual({ claims: 1, by: race.winners, agrees: true });
    expect(race.cleanup).toEqual({ cancelled: true, retired: 12, errors: [] });

    // Assert: the service agrees (probe cancelled, its claim event by the winner, agents retiring or retired)
    const probe: WorkView = await getWork(race.workId);
    expect(probe.status).toBe('cancelled');
    const claims = (await auditEvents({ entityId: race.workId })).filter(
      (event) => event.action === 'work.claimed',
    );
    expect(claims.map((event) => event.actor.id)).toEqual(race.winners);
    const agents = await stackClients().admin.get<{ items: AgentViewSchema[] }>(
      `/v1/agents?team=${team}&limit=200`,
    );
    expect(agents.body.items).toHaveLength(12);
    for (const agent of agents.body.items) expect(agent.status).toMatch(/^(retiring|retired)$/);
  });

  it('prints the winner and the conflicts in human form', async () => {
    const team = uniqueName('doctor');
    const run = await coordMachine('admin').run(['doctor', '--race', '3', '--team', team]);

    expect(run.code, run.stderr + run.stdout).toBe(0);
    const winner = /^ {2}WINNER {3}(\S+)$/m.exec(run.stdout)?.[1];
    expect(winner).toBeDefined();
    expect(
      run.stdout.match(new RegExp(`CONFLICT \\S+: 409 already_claimed held by ${winner}$`, 'gm')),
    ).toHaveLength(2);
    expect(run.stdout).toMatch(/^RESULT {2}one winner/m);
    expect(run.stdout).toMatch(/^OK {6}role {6}admin$/m);
  });

  it('checks a viewer token without racing, and fails an explicit race it cannot run', async () => {
    const issued = await stackClients().admin.post<{ token: string }>('/v1/tokens', { role: 'viewer' });
    const machine = coordMachine('none');
    const viewer = { COORD_TOKEN: issued.body.token };

    const plain = await machine.run(['doctor', '--json'], viewer);
    const raced = await machine.run(['doctor', '--race', '5', '--json'], viewer);

    expect(plain.code, plain.stdout).toBe(0);
    const report = JSON.parse(plain.stdout) as DoctorReport;
    expect(report.race).toBeUndefined();
    expect(report.checks.find((check) => check.name === 'role')?.detail).toBe('viewer');
    expect(report.checks.find((check) => check.name === 'race')?.status).toBe('skipped');
    expect(raced.code).toBe(1);
    expect(
      (JSON.parse(raced.stdout) as DoctorReport).checks.find((check) => check.name === 'race')?.status,
    ).toBe('fail');
  });

  it('fails with exit 1 on a refused token and when the service is unreachable', async () => {
    const machine = coordMachine('none');

    const refused = await machine.run(['doctor', '--json'], { COORD_TOKEN: 'not-a-token' });
    const unreachable = await machine.run(['doctor', '--json', '--url', 'http://127.0.0.1:9']);

    expect(refused.code).toBe(1);
    expect(
      (JSON.parse(refused.stdout) as DoctorReport).checks.find((check) => check.name === 'auth'),
    ).toMatchObject({
      status: 'fail',
    });
    expect(unreachable.code).toBe(1);
    expect((JSON.parse(unreachable.stdout) as DoctorReport).checks).toEqual([
      expect.objectContaining({ name: 'reachable', status: 'fail' }),
    ]);
  });
});
