import type { Agent } from '../model';
import { secondsBetween } from '../time';
import { isOffline, isRetired } from './liveness';

/** An agent's health: 0..100 and the reasons for every deduction. */
export interface Health {
  readonly score: number;
  readonly reasons: readonly string[];
}

/**
 * Largest deduction of each factor. Failures and lease expiries share one denominator (finished
 * claims), so together they take at most `failures` points, and a late heartbeat is never also
 * offline: the lowest score, of an offline agent whose claims all failed and ran slow, is 15.
 */
export const HEALTH_PENALTIES = {
  offline: 40,
  lateHeartbeat: 15,
  failures: 30,
  leaseExpiries: 20,
  slowness: 15,
} as const;

/** A heartbeat this many intervals old is late (offline comes later, at the timeout multiple). */
const LATE_AFTER_INTERVALS = 1.5;
/** Finishing within this multiple of the estimate costs nothing. */
const SLOW_AFTER_RATIO = 1.5;

type HealthInput = Pick<
  Agent,
  'lastHeartbeatAt' | 'heartbeatIntervalSec' | 'stats' | 'retirement' | 'activeClaims'
>;

const freshness = (agent: HealthInput, now: Date, timeoutMultiple: number): [number, string] | undefined => {
  if (isRetired(agent)) return undefined;
  const silentSec = Math.max(0, Math.round(secondsBetween(agent.lastHeartbeatAt, now)));
  if (isOffline(agent.lastHeartbeatAt, agent.heartbeatIntervalSec, now, timeoutMultiple)) {
    return [HEALTH_PENALTIES.offline, `offline: no heartbeat for ${silentSec}s`];
  }
  if (silentSec > LATE_AFTER_INTERVALS * agent.heartbeatIntervalSec) {
    return [HEALTH_PENALTIES.lateHeartbeat, `heartbeat late: last one ${silentSec}s ago`];
  }
  return undefined;
};

const outcomes = (agent: HealthInput): [number, string][] => {
  const { completed, failed, leaseExpiries } = agent.stats;
  const ended = completed + failed + leaseExpiries;
  if (ended === 0) return [];
  const deductions: [number, string][] = [];
  if (failed > 0) {
    deductions.push([
      Math.round((HEALTH_PENALTIES.failures * failed) / ended),
      `${failed} of ${ended} finished claims failed`,
    ]);
  }
  if (leaseExpiries > 0) {
    deductions.push([
      Math.round((HEALTH_PENALTIES.leaseExpiries * leaseExpiries) / ended),
      `${leaseExpiries} of ${ended} finished claims lost their lease`,
    ]);
  }
  return deductions;
};

const speed = (agent: HealthInput): [number, string] | undefined => {
  const { speedRatioSum, speedSamples } = agent.stats;
  if (speedSamples === 0) return undefined;
  const ratio = speedRatioSum / speedSamples;
  if (ratio <= SLOW_AFTER_RATIO) return undefined;
  const penalty = Math.min(HEALTH_PENALTIES.slowness, Math.round((ratio - 1) * 10));
  return [penalty, `takes ${ratio.toFixed(1)}x its estimates on average`];
};

/**
 * Health score 0..100 from heartbeat freshness, failure and lease-expiry rates among finished
 * claims, and speed against estimates. A fresh agent scores 100 with no reasons.
 */
export const agentHealth = (agent: HealthInput, now: Date, heartbeatTimeoutMultiple: number): Health => {
  const deductions = [
    freshness(agent, now, heartbeatTimeoutMultiple),
    ...outcomes(agent),
    speed(agent),
  ].filter((d): d is [number, string] => d !== undefined && d[0] > 0);
  const total = deductions.reduce((sum, [points]) => sum + points, 0);
  return {
    score: 100 - total,
    reasons: deductions.map(([points, reason]) => `${reason} (-${points})`),
  };
};
