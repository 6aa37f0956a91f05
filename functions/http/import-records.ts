import { ImportAgentRecord, ImportEventRecord, ImportWorkRecord } from '#app/schemas/import';
import { importRecords, type RecordChecks } from '#app/use-cases/import-records';
import { httpRoute, ok } from '../shared/http';
import { adminRoutes } from '../shared/routes/admin';
import { bodyCheck } from '../shared/validation';
import { deps } from '../shared/wiring';

/** Each record is checked on its own, so a bad one is rejected alone (API.md "Import"). */
const checks: RecordChecks = {
  agents: bodyCheck(ImportAgentRecord),
  work: bodyCheck(ImportWorkRecord),
  events: bodyCheck(ImportEventRecord),
};

/** `POST /v1/import`: 200 with what was created, unchanged, in conflict or rejected. */
export const handler = httpRoute(adminRoutes.importRecords, async ({ ctx, body }) =>
  ok(await importRecords({ ...deps(), checks }, ctx, body)),
);
