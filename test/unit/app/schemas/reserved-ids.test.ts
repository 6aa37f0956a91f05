import { describe, expect, it } from 'vitest';
import { ImportAgentRecord } from '#app/schemas/import';
import { GITHUB_INTEGRATION_ID } from '#app/use-cases/integrations/receive-github-event';
import { type FieldError, ValidationError } from '#core/errors';
import { routes } from '#functions/shared/routes';
import { bodyCheck } from '#functions/shared/validation';

const checkRegistration = bodyCheck(routes.registerAgent.body);
const checkImportedAgent = bodyCheck(ImportAgentRecord);

const pathsOf = (error: ValidationError): string[] =>
  (error.details as { errors: FieldError[] }).errors.map((field) => field.path);

const refusal = (check: () => unknown): ValidationError => {
  try {
    check();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
};

describe('agent ids the service acts under', () => {
  it.each([
    'admin',
    'Admin',
    'REGISTRATION',
    'system',
    'import',
    'tok_abcdefghijklmnopqrstuv',
    'TOK_x1',
    GITHUB_INTEGRATION_ID,
    'Integration:GitHub',
    'integration:jira',
  ])('refuses to register an agent named %s, naming /id', (id) => {
    const error = refusal(() => checkRegistration({ id, team: 'blue' }));

    expect(pathsOf(error)).toContain('/id');
  });

  it.each([
    'admins',
    'sysadmin',
    'system-2',
    'importer',
    'token-1',
    'agent',
    'integrations-bot',
    'ci:integration:1',
  ])('accepts %s', (id) => {
    expect(checkRegistration({ id, team: 'blue' })).toMatchObject({ id });
  });

  it.each(['system', GITHUB_INTEGRATION_ID])('refuses an imported agent named %s', (id) => {
    const error = refusal(() => checkImportedAgent({ id, team: 'blue' }));

    expect(pathsOf(error)).toContain('/id');
  });
});
