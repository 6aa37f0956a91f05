/**
 * Namespace and `service` dimension of the EMF metrics the handlers emit: fixed in
 * `functions/shared/observability.ts` (its Powertools Metrics is given both, so the `POWERTOOLS_*`
 * variables do not change them). Alarms, dashboards, function environments and the bundle
 * measurement use these; `test/infra/emitted-metrics.test.ts` holds them to the handlers' own.
 */
export const EMITTED_METRICS = { namespace: 'Coord', service: 'coord' } as const;
