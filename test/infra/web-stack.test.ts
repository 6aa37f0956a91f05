import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { describe, expect, it } from 'vitest';
import { WebStack } from '../../lib/stacks/web-stack';
import { appWithoutBundling, logicalIdOf, scratchDir, synthesize } from './support/synth';

describe('WebStack', () => {
  const { stacks, web } = synthesize('dev');
  const bucketId = logicalIdOf(stacks.web.bucket);

  it('keeps the dashboard in a private, encrypted bucket that refuses plain HTTP', () => {
    web.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    web.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only its CloudFront distribution read the bucket, through origin access control', () => {
    web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    web.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    web.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: {
              StringEquals: { 'AWS:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    web.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('serves index.html over HTTPS and forwards the API paths, uncached, to the HTTP API', () => {
    web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({ PathPattern: '/v1/*', ViewerProtocolPolicy: 'https-only' }),
          Match.objectLike({ PathPattern: '/openapi.json' }),
        ],
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: {
              'Fn::Select': [
                2,
                { 'Fn::Split': ['/', { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-api') }] },
              ],
            },
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
          }),
        ]),
      }),
    });
    web.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        }),
      }),
    });
  });

  it('uploads the build with a config.json naming the API and WebSocket URLs, and invalidates the cache', () => {
    web.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: logicalIdOf(stacks.web.distribution) },
      DistributionPaths: ['/*'],
      Prune: true,
      SourceObjectKeys: Match.arrayWith([Match.stringLikeRegexp('\\.zip$')]),
      SourceMarkers: Match.arrayWith([
        Match.objectLike({
          '<<marker:0xbaba:0>>': { 'Fn::GetAtt': [logicalIdOf(stacks.web.distribution), 'DomainName'] },
          '<<marker:0xbaba:1>>': { 'Fn::ImportValue': Match.stringLikeRegexp('coord-dev-realtime') },
        }),
      ]),
    });
    web.hasOutput('DashboardUrl', Match.anyValue());
  });

  it('warns and deploys no files when the dashboard has not been built', () => {
    // Arrange
    const app = appWithoutBundling();
    const api = new HttpApi(new Stack(app, 'Api'), 'Api');
    // Act
    const stack = new WebStack(app, 'Web', {
      stage: 'dev',
      buildDir: `${scratchDir('no-web')}/dist`,
      httpApi: api,
      webSocketUrl: 'wss://example.com/live',
    });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const warnings = app
      .synth()
      .getStackArtifact('Web')
      .messages.map((message) => String(message.entry.data));
    expect(warnings.join('\n')).toMatch(
      /does not exist, so the site is deployed empty: run `npx tsx web\/build.ts` first/,
    );
  });
});
