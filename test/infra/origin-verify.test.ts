/**
 * The origin secret of a stage with a per-IP limit: CloudFront sends it to the HTTP API in
 * `x-origin-verify` (a dynamic reference in the template, never the value), every route's
 * function (and each pre-traffic hook) learns its ARN and may read it, and nothing else may.
 * A stage without a per-IP limit has none of this.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ORIGIN_SECRET_ARN_VARIABLE, ORIGIN_VERIFY_HEADER } from '#functions/shared/origin-header';
import { ROUTES } from '#functions/shared/routes';
import { stageConfig } from '../../lib/stage-config';
import { logicalIdOf, type SynthesizedApp, statementsOf, synthesize } from './support/synth';

const SECRET_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];

interface FunctionResource {
  readonly Properties: {
    readonly Role: { 'Fn::GetAtt': [string, string] };
    readonly Environment?: { Variables?: Record<string, unknown> };
  };
}

const functionsOf = (template: Template): Record<string, FunctionResource> =>
  template.findResources('AWS::Lambda::Function') as Record<string, FunctionResource>;

/** The custom headers CloudFront sends to the HTTP API's origin. */
const apiOriginHeaders = (app: SynthesizedApp): unknown => {
  const distribution = app.web.toJSON().Resources[logicalIdOf(app.stacks.web.distribution)];
  const origins = distribution.Properties.DistributionConfig.Origins as {
    DomainName: unknown;
    S3OriginConfig?: unknown;
    OriginAccessControlId?: unknown;
    OriginCustomHeaders?: unknown;
  }[];
  const api = origins.filter((origin) => JSON.stringify(origin.DomainName).includes('HttpApi'));
  expect(api).toHaveLength(1);
  return api[0]?.OriginCustomHeaders;
};

/** Which roles may read the secret of this logical id, and with which actions. */
const readersOf = (template: Template, secretId: string): Map<string, string[]> => {
  const readers = new Map<string, string[]>();
  for (const fn of Object.values(functionsOf(template))) {
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const actions = statementsOf(template, role)
      .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ Ref: secretId }))
      .flatMap((statement) => [statement.Action].flat());
    if (actions.length > 0) readers.set(role, actions.sort());
  }
  return readers;
};

describe('the origin secret on a stage with a per-IP limit (prod)', () => {
  const app = synthesize('prod');
  const { stacks, api } = app;
  const secret = stacks.api.originSecret;
  const secretId = logicalIdOf(secret);

  it('is a secret CloudFormation generates, with no value in the template', () => {
    api.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: 'Header value CloudFront sends to the coord-prod API (x-origin-verify)',
      GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 48 },
    });
    expect(api.toJSON().Resources[secretId].Properties.SecretString).toBeUndefined();
    api.hasOutput('OriginSecretArn', { Value: { Ref: secretId } });
  });

  it('is sent by CloudFront to the HTTP API as x-origin-verify, through a dynamic reference to the secret', () => {
    const headers = apiOriginHeaders(app) as { HeaderName: string; HeaderValue: unknown }[];
    expect(headers).toHaveLength(1);
    expect(headers[0]?.HeaderName).toBe(ORIGIN_VERIFY_HEADER);
    // The API stack's secret ARN, imported, inside `{{resolve:secretsmanager:<arn>:SecretString:::}}`.
    const value = headers[0]?.HeaderValue as { 'Fn::Join': [string, unknown[]] };
    const [separator, parts] = value['Fn::Join'];
    expect(separator).toBe('');
    expect(parts[0]).toBe('{{resolve:secretsmanager:');
    expect(JSON.stringify(parts[1])).toContain('Fn::ImportValue');
    expect(JSON.stringify(parts[1])).toContain(secretId);
    expect(parts[2]).toBe(':SecretString:::}}');
  });

  it('is sent only to the API: the bucket origin gets no header', () => {
    const distribution = app.web.toJSON().Resources[logicalIdOf(stacks.web.distribution)];
    const origins = distribution.Properties.DistributionConfig.Origins as { OriginCustomHeaders?: unknown }[];
    expect(origins.filter((origin) => origin.OriginCustomHeaders !== undefined)).toHaveLength(1);
  });

  it("gives every route's function the secret's ARN and read access to it", () => {
    for (const route of ROUTES) {
      const fn = stacks.api.routes.functions.get(route.id);
      if (!fn) throw new Error(`No function for ${route.id}`);
      const resource = functionsOf(api)[logicalIdOf(fn.function)];
      expect(resource?.Properties.Environment?.Variables?.[ORIGIN_SECRET_ARN_VARIABLE]).toEqual({
        Ref: secretId,
      });
    }
  });

  it('lets the route functions and the pre-traffic hooks read it, with exactly the read actions, and nothing else', () => {
    const routeRoles = ROUTES.map((route) =>
      logicalIdOf(stacks.api.routes.functions.get(route.id)?.function.role),
    );
    const hookRoles = Object.entries(functionsOf(api))
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.COORD_HOOK_TARGET !== undefined)
      .map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]);
    expect(hookRoles).toHaveLength(2);
    const readers = readersOf(api, secretId);
    expect([...readers.keys()].sort()).toEqual([...routeRoles, ...hookRoles].sort());
    for (const actions of readers.values()) expect(actions).toEqual(SECRET_ACTIONS);
  });

  it('tells the pre-traffic hooks where the secret is, so their probes carry the header', () => {
    const hooks = Object.values(functionsOf(api)).filter(
      (fn) => fn.Properties.Environment?.Variables?.COORD_HOOK_TARGET !== undefined,
    );
    for (const hook of hooks) {
      expect(hook.Properties.Environment?.Variables?.[ORIGIN_SECRET_ARN_VARIABLE]).toEqual({ Ref: secretId });
    }
  });

  it('leaves the fallback and the streamed AI query (a function URL, not behind CloudFront) without the check', () => {
    for (const fn of [stacks.api.routes.fallback, stacks.api.aiQueryStream?.handler]) {
      const resource = functionsOf(api)[logicalIdOf(fn?.function)];
      expect(resource?.Properties.Environment?.Variables?.[ORIGIN_SECRET_ARN_VARIABLE]).toBeUndefined();
    }
  });
});

describe('the origin secret after a rotation (perIpLimit.originSecretVersionId)', () => {
  const base = stageConfig('prod').perIpLimit;
  const app = synthesize('prod', {
    perIpLimit: { requestsPer5Minutes: base?.requestsPer5Minutes ?? 6000, originSecretVersionId: 'v-2' },
  });

  it('pins the version CloudFront sends, so the deploy updates the distribution', () => {
    const headers = apiOriginHeaders(app) as { HeaderValue: { 'Fn::Join': [string, unknown[]] } }[];
    const parts = headers[0]?.HeaderValue['Fn::Join'][1];
    expect(parts?.at(-1)).toBe(':SecretString:::v-2}}');
  });
});

describe('a stage without a per-IP limit (dev)', () => {
  const app = synthesize('dev');
  const { stacks, api } = app;

  it('has no origin secret, no origin header and no function told of one', () => {
    expect(stacks.api.originSecret).toBeUndefined();
    expect(JSON.stringify(api.toJSON())).not.toContain('x-origin-verify');
    expect(apiOriginHeaders(app)).toBeUndefined();
    for (const fn of Object.values(functionsOf(api))) {
      expect(fn.Properties.Environment?.Variables?.[ORIGIN_SECRET_ARN_VARIABLE]).toBeUndefined();
    }
    api.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });
});
