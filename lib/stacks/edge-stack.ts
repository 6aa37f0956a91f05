import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

/** The region of every CloudFront-scope AWS WAF web ACL. */
export const EDGE_REGION = 'us-east-1';

/** Seconds a blocked caller is told to wait: WAF counts over 5 minutes and re-checks about every 10 seconds. */
export const PER_IP_RETRY_AFTER_SECONDS = 60;

/** Properties of the {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`. */
  readonly stage: string;
  /** Requests one IP may send in any 5-minute window before WAF blocks it. */
  readonly requestsPer5Minutes: number;
}

/**
 * The web ACL in front of the dashboard's CloudFront distribution (and so of the API paths it
 * forwards): one rate-based rule counting each client IP's requests over 5 minutes and answering
 * 429 with `Retry-After` above the limit. CloudFront-scope web ACLs live in us-east-1, so this
 * stack must be deployed there; the web stack reads the ACL's ARN through a cross-region reference.
 */
export class EdgeStack extends Stack {
  /** The web ACL; its `attrArn` is what the distribution's `webAclId` takes. */
  public readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const metricPrefix = `coord-${props.stage}`;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${metricPrefix}-edge`,
      description: `coord ${props.stage}: per-IP request limit in front of the dashboard and the API paths`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${metricPrefix}-edge`),
      customResponseBodies: {
        PerIpLimit: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: {
              code: 'rate_limited',
              message: `Too many requests from this address: more than ${props.requestsPer5Minutes} in 5 minutes.`,
              details: { retryAfterSeconds: PER_IP_RETRY_AFTER_SECONDS },
            },
          }),
        },
      },
      rules: [
        {
          name: 'PerIpLimit',
          priority: 0,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.requestsPer5Minutes,
              evaluationWindowSec: 300,
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'PerIpLimit',
                responseHeaders: [{ name: 'Retry-After', value: String(PER_IP_RETRY_AFTER_SECONDS) }],
              },
            },
          },
          visibilityConfig: visibility(`${metricPrefix}-per-ip-limit`),
        },
      ],
    });
  }
}
