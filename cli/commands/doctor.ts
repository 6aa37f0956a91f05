/**
 * `coord doctor [--race N] [--team T]`: checks what a new user of the service wants to know
 * before trusting it. Reachability (`GET /v1/health`), authentication and the token's role
 * (probes that the API refuses before reading the body, so they change nothing), clock skew
 * (the answer's `Date` against this machine's clock, halfway through the round trip), and,
 * with a token that may register agents, a claim race: N agents registered in a probe team
 * claim one probe item at the same instant; exactly one must win and every other must get a
 * 409 naming that winner, and the audit log must record one claim, by the winner. The probe
 * is cancelled and its agents retired afterwards, whatever happened. Exit 0 only when every
 * check passed and exactly one claimer won.
 */
import { randomBytes } from 'node:crypto';
import type { RegisterAgentResult } from '#app/schemas/views';
import { requireTeam } from '../args';
import { type ApiClient, ApiError, NetworkError } from '../client';
import { atMost, type Command, type CommandContext, integerIn, stringOption } from '../command';
import { ExitCode, say, sayJson, warn } from '../io';

const DEFAULT_RACERS = 20;
const MAX_RACERS = 200;
const DEFAULT_PROBE_TEAM = 'coord-doctor';
/** Above this skew a lease or a heartbeat deadline seen here is off by a noticeable share. */
const SKEW_WARNING_MS = 2_000;
const AUDIT_WAIT_MS = 5_000;
const AUDIT_POLL_MS = 250;

/** The role a token acts with, as the service's answers reveal it. */
export type ProbedRole = 'admin' | 'viewer' | 'registration' | 'agent' | 'none' | 'rejected';

/** One check's outcome. */
export interface DoctorCheck {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skipped';
  readonly detail: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One claimer's answer in the race. */
interface RaceOutcome {
  readonly agentId: string;
  readonly status: number;
  readonly code?: string;
  readonly holder?: string;
}

/** What the race found. */
export interface RaceReport {
  readonly racers: number;
  readonly team: string;
  readonly workId?: string;
  readonly winners: readonly string[];
  readonly conflicts: readonly RaceOutcome[];
  readonly others: readonly RaceOutcome[];
  readonly audit?: { readonly claims: number; readonly by: readonly string[]; readonly agrees: boolean };
  readonly cleanup: { readonly cancelled: boolean; readonly retired: number; readonly errors: string[] };
  readonly ok: boolean;
}

const statusOf = (error: unknown): number | undefined =>
  error instanceof ApiError ? error.status : undefined;

/** The status of a request that must be refused before its body is read; 0 when unreachable. */
const probeStatus = async (client: ApiClient, method: string, path: string): Promise<number> => {
  try {
    return (
      await client.request(method, path, {
        retries: 0,
        ...(method === 'GET' ? { query: { limit: 1 } } : { body: {} }),
      })
    ).status;
  } catch (error) {
    return statusOf(error) ?? 0;
  }
};

/**
 * The token's role, from probes ordered by privilege. The API checks 401, then 403, then the
 * body (400), so an empty body tells "may use this route" (400) from "may not" (403).
 */
export const probeRole = async (client: ApiClient): Promise<ProbedRole> => {
  if (!client.token) return 'none';
  const issueToken = await probeStatus(client, 'POST', '/v1/tokens');
  if (issueToken === 401) return 'rejected';
  if (issueToken === 400) return 'admin';
  if ((await probeStatus(client, 'GET', '/v1/agents')) === 200) return 'viewer';
  if ((await probeStatus(client, 'POST', '/v1/agents')) === 400) return 'registration';
  if ((await probeStatus(client, 'GET', '/v1/work')) === 200) return 'agent';
  return 'rejected';
};

const reachability = async (
  context: CommandContext,
  client: ApiClient,
): Promise<{ check: DoctorCheck; skew?: DoctorCheck }> => {
  const sentAt = context.io.now().getTime();
  let status: number;
  let headers: Headers | undefined;
  let body: unknown;
  try {
    const answer = await client.request<{ status?: string; version?: string }>('GET', '/v1/health', {
      token: null,
      retries: 1,
    });
    ({ status, headers, body } = answer);
  } catch (error) {
    if (error instanceof NetworkError) {
      return { check: { name: 'reachable', status: 'fail', detail: error.message } };
    }
    if (!(error instanceof ApiError)) throw error;
    status = error.status;
    body = error.body;
  }
  const receivedAt = context.io.now().getTime();
  const health = body as { status?: string; version?: string } | undefined;
  const check: DoctorCheck = {
    name: 'reachable',
    status: status === 200 ? 'ok' : 'fail',
    detail: `GET /v1/health -> ${status} ${health?.status ?? ''} in ${receivedAt - sentAt} ms`.trim(),
    data: {
      status,
      ...(health?.version ? { version: health.version } : {}),
      roundTripMs: receivedAt - sentAt,
    },
  };
  const date = headers?.get('date');
  if (!date || Number.isNaN(Date.parse(date))) return { check };
  // The Date header has whole seconds: the skew is known to within a second plus the round trip.
  const skewMs = Date.parse(date) - (sentAt + receivedAt) / 2;
  const tolerance = 1_000 + (receivedAt - sentAt);
  const beyond = Math.abs(skewMs) - tolerance;
  return {
    check,
    skew: {
      name: 'clock',
      status: beyond > SKEW_WARNING_MS ? 'warn' : 'ok',
      detail: `service clock ${skewMs >= 0 ? 'ahead of' : 'behind'} this machine by about ${Math.round(Math.abs(skewMs) / 1000)} s (±${Math.ceil(tolerance / 1000)} s)`,
      data: { skewMs: Math.round(skewMs), toleranceMs: tolerance },
    },
  };
};

const newProbeId = (): string => `doctor-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

const claimOutcome = async (
  agentId: string,
  client: ApiClient,
  workId: string,
): Promise<RaceOutcome & { won: boolean }> => {
  try {
    const { status } = await client.request('POST', `/v1/work/${encodeURIComponent(workId)}/claim`, {
      body: { agentId },
    });
    return { agentId, status, won: true };
  } catch (error) {
    if (!(error instanceof ApiError))
      return { agentId, status: 0, code: (error as Error).message, won: false };
    const holder = (error.details.holder as { agentId?: unknown } | undefined)?.agentId;
    return {
      agentId,
      status: error.status,
      code: error.code,
      ...(typeof holder === 'string' ? { holder } : {}),
      won: false,
    };
  }
};

interface AuditEvent {
  readonly action: string;
  readonly actor: { readonly id: string };
}

/** The audit log's claims of the probe, once they are there (the log may trail the answer). */
const auditedClaims = async (
  context: CommandContext,
  reader: ApiClient,
  workId: string,
  expected: number,
): Promise<string[]> => {
  const deadline = context.io.now().getTime() + AUDIT_WAIT_MS;
  for (;;) {
    const { body } = await reader.request<{ items: AuditEvent[] }>('GET', '/v1/audit', {
      query: { entityId: workId, limit: 200 },
    });
    const claims = body.items
      .filter((event) => event.action === 'work.claimed')
      .map((event) => event.actor.id);
    if (claims.length >= expected || context.io.now().getTime() >= deadline) return claims;
    await context.io.sleep(AUDIT_POLL_MS);
  }
};

/** Registers the racers, races them, checks the audit log and cleans up. */
const race = async (
  context: CommandContext,
  admin: ApiClient,
  role: ProbedRole,
  racers: number,
  team: string,
): Promise<RaceReport> => {
  const probe = newProbeId();
  const agents: { id: string; client: ApiClient }[] = [];
  const errors: string[] = [];
  let workId: string | undefined;
  let outcomes: (RaceOutcome & { won: boolean })[] = [];
  let audit: RaceReport['audit'];
  try {
    const registered = await Promise.all(
      Array.from({ length: racers }, async (_, index) => {
        const id = `${probe}-${index + 1}`;
        const { body } = await admin.request<RegisterAgentResult>('POST', '/v1/agents', {
          body: { id, team, capacity: 1, metadata: { probe } },
        });
        return { id, client: await context.clientWith(body.token) };
      }),
    );
    agents.push(...registered);
    const creator = agents[0] as { id: string; client: ApiClient };
    const created = await creator.client.request<{ id: string }>('POST', '/v1/work', {
      body: { type: 'doctor-probe', title: `coord doctor claim race ${probe}`, team, priority: 'low' },
    });
    workId = created.body.id;
    const target = workId;
    outcomes = await Promise.all(agents.map((agent) => claimOutcome(agent.id, agent.client, target)));
    const winners = outcomes.filter((outcome) => outcome.won).map((outcome) => outcome.agentId);
    if (role === 'admin' || role === 'viewer') {
      const by = await auditedClaims(context, admin, workId, winners.length);
      audit = {
        claims: by.length,
        by,
        agrees: by.length === 1 && winners.length === 1 && by[0] === winners[0],
      };
    }
  } catch (error) {
    errors.push((error as Error).message);
  }
  let cancelled = false;
  const creator = agents[0];
  if (workId && creator) {
    try {
      await creator.client.request('POST', `/v1/work/${encodeURIComponent(workId)}/cancel`, {
        body: { reason: 'coord doctor probe' },
      });
      cancelled = true;
    } catch (error) {
      errors.push(`cancel ${workId}: ${(error as Error).message}`);
    }
  }
  const retired = await Promise.all(
    agents.map(async (agent) => {
      try {
        await agent.client.request('POST', `/v1/agents/${encodeURIComponent(agent.id)}/retire`, {
          body: { mode: 'release' },
        });
        return true;
      } catch (error) {
        errors.push(`retire ${agent.id}: ${(error as Error).message}`);
        return false;
      }
    }),
  );
  const winners = outcomes.filter((outcome) => outcome.won).map((outcome) => outcome.agentId);
  const strip = ({ won: _won, ...rest }: RaceOutcome & { won: boolean }): RaceOutcome => rest;
  const conflicts = outcomes.filter((outcome) => !outcome.won && outcome.status === 409).map(strip);
  const others = outcomes.filter((outcome) => !outcome.won && outcome.status !== 409).map(strip);
  const ok =
    winners.length === 1 &&
    conflicts.length === racers - 1 &&
    conflicts.every((conflict) => conflict.holder === winners[0]) &&
    (audit === undefined || audit.agrees);
  return {
    racers,
    team,
    ...(workId ? { workId } : {}),
    winners,
    conflicts,
    others,
    ...(audit ? { audit } : {}),
    cleanup: { cancelled, retired: retired.filter(Boolean).length, errors },
    ok,
  };
};

const printCheck = (context: CommandContext, check: DoctorCheck): void => {
  say(context.io, `${check.status.toUpperCase().padEnd(7)} ${check.name.padEnd(9)} ${check.detail}`);
};

const printRace = (context: CommandContext, report: RaceReport): void => {
  const { io } = context;
  say(
    io,
    `RACE    ${report.racers} agents of team ${report.team} claimed ${report.workId ?? '(no probe)'} at once`,
  );
  for (const winner of report.winners) say(io, `  WINNER   ${winner}`);
  for (const conflict of report.conflicts) {
    say(
      io,
      `  CONFLICT ${conflict.agentId}: ${conflict.status} ${conflict.code ?? ''} held by ${conflict.holder ?? '?'}`,
    );
  }
  for (const other of report.others)
    say(io, `  OTHER    ${other.agentId}: ${other.status} ${other.code ?? ''}`);
  if (report.audit) {
    say(
      io,
      `  AUDIT    ${report.audit.claims} claim event(s) by ${report.audit.by.join(', ') || 'nobody'}: ${report.audit.agrees ? 'agrees' : 'DISAGREES'}`,
    );
  } else say(io, '  AUDIT    skipped (reading the audit log needs an admin or viewer token)');
  say(
    io,
    `  CLEANUP  probe ${report.cleanup.cancelled ? 'cancelled' : 'NOT cancelled'}, ${report.cleanup.retired}/${report.racers} agents retired`,
  );
  for (const error of report.cleanup.errors) warn(io, `  error: ${error}`);
  say(
    io,
    report.ok
      ? `RESULT  one winner (${report.winners[0]}), ${report.conflicts.length} conflicts naming it`
      : `RESULT  FAILED: ${report.winners.length} winner(s), ${report.conflicts.length} conflict(s)`,
  );
};

const doctor: Command = {
  name: 'doctor',
  group: 'checks',
  // The probes are cleaned up at once; a probe replayed later would leave agents behind.
  outbox: false,
  usage: '[--race N] [--team T]',
  summary:
    'Check reachability, token and role, clock skew, and (admin or registration token) that N concurrent claims of one item give exactly one winner',
  options: { race: { type: 'string' }, team: { type: 'string' } },
  async run(context) {
    atMost(context, 0);
    const raw = stringOption(context, 'race');
    const explicitRace = raw !== undefined;
    const racers = raw === undefined ? DEFAULT_RACERS : integerIn(raw, '--race', 0, MAX_RACERS);
    const team = requireTeam(stringOption(context, 'team') ?? DEFAULT_PROBE_TEAM, '--team');
    const client = await context.client();
    const checks: DoctorCheck[] = [];
    const { check, skew } = await reachability(context, client);
    checks.push(check);
    let report: RaceReport | undefined;
    if (check.status !== 'fail') {
      if (skew) checks.push(skew);
      const role = await probeRole(client);
      const authenticated = role !== 'none' && role !== 'rejected';
      checks.push({
        name: 'auth',
        status: authenticated ? 'ok' : 'fail',
        detail: authenticated
          ? 'the token is accepted'
          : role === 'none'
            ? 'no token: set COORD_TOKEN or pass --token'
            : 'the token is refused (401)',
      });
      if (authenticated) checks.push({ name: 'role', status: 'ok', detail: role, data: { role } });
      const mayRace = role === 'admin' || role === 'registration';
      if (racers >= 2 && mayRace) report = await race(context, client, role, racers, team);
      else if (racers >= 2 && authenticated) {
        checks.push({
          name: 'race',
          status: explicitRace ? 'fail' : 'skipped',
          detail: `the race registers agents: it needs an admin or registration token, not ${role}`,
        });
      }
    }
    const ok = checks.every((entry) => entry.status !== 'fail') && (report === undefined || report.ok);
    if (context.json)
      sayJson(context.io, { url: client.baseUrl, ok, checks, ...(report ? { race: report } : {}) });
    else {
      say(context.io, `coord doctor: ${client.baseUrl}`);
      for (const entry of checks) printCheck(context, entry);
      if (report) printRace(context, report);
    }
    return ok ? ExitCode.Ok : ExitCode.Error;
  },
};

/** The commands that show the service's guarantees. */
export const DOCTOR_COMMANDS: readonly Command[] = [doctor];
