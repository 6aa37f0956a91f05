import { existsSync } from 'node:fs';
import {
  Annotations,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '#functions/shared/origin-header';

/** The dashboard's build output, relative to the project root (`npx tsx web/build.ts` writes it). */
export const WEB_BUILD_DIR = 'web/dist';

/** The file the dashboard reads its API and WebSocket URLs from on AWS. */
export const WEB_CONFIG_FILE = 'dashboard-config.json';

/** Properties of the {@link WebStack}. */
export interface WebStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`. */
  readonly stage: string;
  /** Absolute path of the dashboard's build output (the folder holding index.html). */
  readonly buildDir: string;
  /** The HTTP API, served under `/v1/*` on the dashboard's own origin, so the browser needs no CORS. */
  readonly httpApi: IHttpApi;
  /** The WebSocket URL the dashboard connects to (`wss://...`), written to `dashboard-config.json`. */
  readonly webSocketUrl: string;
  /**
   * Whether this is a production deployment: the bucket is kept when the stack is deleted.
   * @default false: the bucket and its files are destroyed with the stack
   */
  readonly isProd?: boolean;
  /**
   * ARN of the CloudFront-scope AWS WAF web ACL in front of the distribution (the edge stack's).
   * @default no web ACL
   */
  readonly webAclArn?: string;
  /**
   * The secret CloudFront sends to the HTTP API in `x-origin-verify` (the API stack's): the
   * template holds a dynamic reference to it, never its value.
   * @default no origin header
   */
  readonly originSecret?: ISecret;
  /**
   * The version of `originSecret` CloudFront sends; changing it makes CloudFormation read the
   * secret again and update the distribution (README, rotating the origin secret).
   * @default the current version when the distribution was last updated
   */
  readonly originSecretVersionId?: string;
}

// API paths the distribution forwards to the HTTP API instead of the bucket.
const API_PATH_PATTERNS = ['/v1/*', '/openapi.json'];

/**
 * The dashboard on AWS: its build in a private S3 bucket read by CloudFront through origin access
 * control, `dashboard-config.json` telling it where the APIs are, and the HTTP API forwarded under `/v1/*`
 * uncached (the bearer token is part of the cache key, so no answer is ever shared). When the
 * build output is missing, the site is created empty and synth warns.
 */
export class WebStack extends Stack {
  /** The private bucket holding the build. */
  public readonly bucket: Bucket;
  /** The CloudFront distribution serving it. */
  public readonly distribution: Distribution;
  /** The upload of the build, when the build output exists. */
  public readonly deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const isProd = props.isProd ?? false;
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: isProd,
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !isProd,
    });

    // Caching "off" but with the Authorization header and query in the key: CloudFront forwards a
    // GET's Authorization header only when the cache policy names it.
    const apiCachePolicy = new CachePolicy(this, 'ApiCachePolicy', {
      comment: `coord ${props.stage}: API answers, never shared between callers`,
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
    });
    const originSecret = props.originSecret;
    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      ...(originSecret && {
        customHeaders: {
          [ORIGIN_VERIFY_HEADER]: SecretValue.secretsManager(originSecret.secretArn, {
            ...(props.originSecretVersionId && { versionId: props.originSecretVersionId }),
          }).unsafeUnwrap(),
        },
      }),
    });
    const apiBehavior = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCachePolicy,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `coord ${props.stage} dashboard`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
      ...(props.webAclArn && { webAclId: props.webAclArn }),
    });

    const siteUrl = `https://${this.distribution.distributionDomainName}`;
    if (existsSync(props.buildDir)) {
      this.deployment = new BucketDeployment(this, 'Deploy', {
        destinationBucket: this.bucket,
        sources: [
          Source.asset(props.buildDir),
          Source.jsonData(WEB_CONFIG_FILE, { apiUrl: siteUrl, wsUrl: props.webSocketUrl }),
        ],
        distribution: this.distribution,
        distributionPaths: ['/*'],
        prune: true,
      });
    } else {
      Annotations.of(this).addWarning(
        `The dashboard build ${props.buildDir} does not exist, so the site is deployed empty: run \`npx tsx web/build.ts\` first.`,
      );
    }

    new CfnOutput(this, 'DashboardUrl', { value: siteUrl, description: 'The dashboard' });
    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'Bucket holding the dashboard',
    });
  }
}
