import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildCoordApp } from '../../lib/coord-app';
import { EDGE_REGION, PER_IP_RETRY_AFTER_SECONDS } from '../../lib/stacks/edge-stack';
import { perIpLimitOf, STAGES, stageConfig } from '../../lib/stage-config';
import {
  appWithoutBundling,
  buildStacks,
  logicalIdOf,
  PER_IP_TEST_REGION,
  stubProjectRoot,
  synthesize,
} from './support/synth';

describe('per-IP limits through AWS WAF, stage prod', () => {
  const { stacks, edge, web, templates } = synthesize('prod');
  const limit = stageConfig('prod').perIpLimit?.requestsPer5Minutes;

  it('is on in prod with a generous limit, and off in dev and local', () => {
    expect(limit).toBe(6000);
    expect(STAGES.dev?.perIpLimit).toBeUndefined();
    expect(STAGES.local?.perIpLimit).toBeUndefined();
  });

  it('puts a CloudFront-scope web ACL in its own us-east-1 stack, coord-prod-edge', () => {
    expect(stacks.edge?.stackName).toBe('coord-prod-edge');
    expect(stacks.edge?.region).toBe(EDGE_REGION);
    expect(stacks.edge?.terminationProtection).toBe(true);
    expect(stacks.web.region).toBe(PER_IP_TEST_REGION);
    edge?.resourceCountIs('AWS::WAFv2::WebACL', 1);
    edge?.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
    });
  });

  it('blocks an IP over the limit in 5 minutes with 429, Retry-After and the API error shape, with metrics', () => {
    const [acl] = Object.values(edge?.findResources('AWS::WAFv2::WebACL') ?? {});
    const rules = acl?.Properties.Rules;
    expect(rules).toEqual([
      {
        Name: 'PerIpLimit',
        Priority: 0,
        Statement: {
          RateBasedStatement: { AggregateKeyType: 'IP', Limit: limit, EvaluationWindowSec: 300 },
        },
        Action: {
          Block: {
            CustomResponse: {
              ResponseCode: 429,
              CustomResponseBodyKey: 'PerIpLimit',
              ResponseHeaders: [{ Name: 'Retry-After', Value: String(PER_IP_RETRY_AFTER_SECONDS) }],
            },
          },
        },
        VisibilityConfig: {
          CloudWatchMetricsEnabled: true,
          MetricName: 'coord-prod-per-ip-limit',
          SampledRequestsEnabled: true,
        },
      },
    ]);
    const body = acl?.Properties.CustomResponseBodies.PerIpLimit;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toEqual({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining(`more than ${limit} in 5 minutes`),
        details: { retryAfterSeconds: PER_IP_RETRY_AFTER_SECONDS },
      },
    });
  });

  it("attaches the web ACL to the dashboard's distribution through a cross-region reference", () => {
    const webAclId =
      web.toJSON().Resources[logicalIdOf(stacks.web.distribution)].Properties.DistributionConfig.WebACLId;
    // The web stack reads the ARN the edge stack exports (SSM parameters in the web stack's region).
    // The edge stack writes the web ACL's ARN as an SSM parameter in the web stack's region, and
    // the web stack reads that parameter into the distribution's WebACLId.
    const parameter = webAclId['Fn::GetAtt']?.[1];
    expect(parameter).toMatch(/^\/cdk\/exports\/coord-prod-web\//);
    edge?.hasResourceProperties('Custom::CrossRegionExportWriter', {
      WriterProps: {
        region: PER_IP_TEST_REGION,
        exports: { [parameter]: { 'Fn::GetAtt': [stacks.edge?.getLogicalId(stacks.edge.webAcl), 'Arn'] } },
      },
    });
    expect(stacks.web.dependencies).toContain(stacks.edge);
    // Nowhere else is there a web ACL.
    const acls = [...templates.values()].flatMap((template) =>
      Object.keys(template.findResources('AWS::WAFv2::WebACL')),
    );
    expect(acls).toHaveLength(1);
  });
});

describe('per-IP limits through AWS WAF, off', () => {
  it('leaves dev without an edge stack, a web ACL or a WebACLId on the distribution', () => {
    const { stacks, edge, web, templates } = synthesize('dev');
    expect(stacks.edge).toBeUndefined();
    expect(edge).toBeUndefined();
    for (const template of templates.values()) {
      expect(Object.keys(template.findResources('AWS::WAFv2::WebACL'))).toEqual([]);
      expect(Object.keys(template.findResources('AWS::WAFv2::WebACLAssociation'))).toEqual([]);
    }
    const distribution = web.toJSON().Resources[logicalIdOf(stacks.web.distribution)];
    expect(distribution.Properties.DistributionConfig.WebACLId).toBeUndefined();
  });

  it('turns on in dev when the stage sets it, with the limit it sets', () => {
    const { edge } = synthesize('dev', { perIpLimit: { requestsPer5Minutes: 10 } });
    edge?.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 10 }) } })],
    });
    expect(edge).toBeDefined();
  });
});

describe('the perIpLimit setting', () => {
  it.each([9, 0, -1, 10.5, Number.NaN, 2_000_000_001])('refuses %s requests per 5 minutes', (requests) => {
    const config = { ...stageConfig('dev'), perIpLimit: { requestsPer5Minutes: requests } };
    expect(() => perIpLimitOf(config)).toThrow(
      /Stage dev: perIpLimit.requestsPer5Minutes must be a whole number from 10 to 2000000000/,
    );
    expect(() => buildStacks(config)).toThrow(/perIpLimit.requestsPer5Minutes must be a whole number/);
  });

  it('accepts WAF’s bounds, 10 and 2,000,000,000', () => {
    for (const requests of [10, 2_000_000_000]) {
      const config = { ...stageConfig('dev'), perIpLimit: { requestsPer5Minutes: requests } };
      expect(perIpLimitOf(config)).toEqual({ requestsPer5Minutes: requests });
    }
  });

  it('needs a known region for the cross-region reference, and says so', () => {
    expect(() =>
      buildCoordApp(appWithoutBundling(), {
        config: stageConfig('prod'),
        functionDefaults: { projectRoot: stubProjectRoot() },
      }),
    ).toThrow(
      /Stage prod sets perIpLimit, whose web ACL lives in us-east-1: the web stack needs a known region/,
    );
  });

  it('needs the web stack, and says so', () => {
    const config = {
      ...stageConfig('local'),
      perIpLimit: { requestsPer5Minutes: 100 },
      region: PER_IP_TEST_REGION,
    };
    expect(() => buildStacks(config)).toThrow(/Stage local sets perIpLimit, which needs the web stack/);
  });
});
