/**
 * OpenTelemetry on AWS: a stage with `openTelemetry` gives every function of the service the ADOT
 * layer and its wrapper (plus the OTLP endpoint when one is set) and keeps X-Ray active tracing;
 * a stage without gives none of them.
 */
import { Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { CoordFunction, OTEL_EXEC_WRAPPER } from '../../lib/constructs/coord-function';
import type { OpenTelemetrySettings } from '../../lib/stage-config';
import { stageConfig } from '../../lib/stage-config';
import { buildStacks, synthesize } from './support/synth';

const LAYER = 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1';

interface Seen {
  readonly path: string;
  readonly layers: unknown;
  readonly environment: Record<string, unknown>;
  readonly tracing: unknown;
}

/** Every CoordFunction of a synthesized stage, with its layers, environment and tracing as deployed. */
const functionsOf = (openTelemetry?: OpenTelemetrySettings): Seen[] => {
  const { stacks } = synthesize('dev', openTelemetry ? { openTelemetry } : {});
  return (
    Object.values(stacks)
      // A stage without a per-IP limit has no edge stack.
      .filter((stack) => stack !== undefined)
      .flatMap((stack) => stack.node.findAll())
      .filter((construct): construct is CoordFunction => construct instanceof CoordFunction)
      .map((fn) => {
        const cfn = fn.function.node.defaultChild as CfnFunction;
        const stack = Stack.of(cfn);
        const environment = stack.resolve(cfn.environment) as
          | { variables?: Record<string, unknown> }
          | undefined;
        return {
          path: fn.node.path,
          layers: stack.resolve(cfn.layers),
          environment: environment?.variables ?? {},
          tracing: stack.resolve(cfn.tracingConfig),
        };
      })
  );
};

describe('OpenTelemetry through the ADOT layer', () => {
  it('gives every function the layer, the wrapper and the endpoint when the stage sets them', () => {
    const functions = functionsOf({ layerArn: LAYER, endpoint: 'https://otlp.example:4318' });
    expect(functions.length).toBeGreaterThan(40);
    for (const fn of functions) {
      expect(fn.layers, fn.path).toEqual([LAYER]);
      expect(fn.environment, fn.path).toMatchObject({
        AWS_LAMBDA_EXEC_WRAPPER: OTEL_EXEC_WRAPPER,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example:4318',
      });
      expect(fn.tracing, fn.path).toEqual({ mode: 'Active' });
    }
  });

  it('sets no endpoint of its own when the stage names none', () => {
    const functions = functionsOf({ layerArn: LAYER });
    for (const fn of functions) {
      expect(fn.layers, fn.path).toEqual([LAYER]);
      expect(fn.environment.AWS_LAMBDA_EXEC_WRAPPER, fn.path).toBe(OTEL_EXEC_WRAPPER);
      expect(fn.environment, fn.path).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
    }
  });

  it('adds neither layer nor wrapper to any function without it (dev and prod leave it unset)', () => {
    expect(stageConfig('dev').openTelemetry).toBeUndefined();
    expect(stageConfig('prod').openTelemetry).toBeUndefined();
    const functions = functionsOf();
    expect(functions.length).toBeGreaterThan(40);
    for (const fn of functions) {
      expect(fn.layers, fn.path).toBeUndefined();
      expect(fn.environment, fn.path).not.toHaveProperty('AWS_LAMBDA_EXEC_WRAPPER');
      expect(fn.environment, fn.path).not.toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
      expect(fn.tracing, fn.path).toEqual({ mode: 'Active' });
    }
  });

  it('refuses a layer ARN that is not a layer version', () => {
    expect(() =>
      buildStacks({ ...stageConfig('dev'), openTelemetry: { layerArn: 'aws-otel-nodejs-arm64' } }),
    ).toThrow(/openTelemetry.layerArn "aws-otel-nodejs-arm64" is not a layer version ARN/);
  });
});
