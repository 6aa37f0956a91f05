import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { connectionsTable, eventsTable, metaTable, workTable } from '#adapters/dynamo/tables';
import { ROUTES } from '#functions/shared/routes';
import { CoordFunction } from '../../lib/constructs/coord-function';
import {
  AUDIT_DENIED_ACTIONS,
  registerTable,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
  tableActions,
} from '../../lib/table-access';
import { logicalIdOf, statementsOf, synthesize } from './support/synth';

const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('least privilege of every function', () => {
  const synthesized = synthesize('dev');
  const { stacks } = synthesized;
  const functions = [stacks.api, stacks.messaging, stacks.realtime].flatMap((stack) =>
    stack.node
      .findAll()
      .filter((construct): construct is CoordFunction => construct instanceof CoordFunction),
  );
  // The API's route functions live in nested stacks: the flattened template holds them all.
  const templateOf = (fn: CoordFunction): Template => {
    const stack = Stack.of(fn).nestedStackParent ?? Stack.of(fn);
    if (stack === stacks.api) return synthesized.api;
    if (stack === stacks.messaging) return synthesized.messaging;
    return synthesized.realtime;
  };
  const statementsOfFunction = (fn: CoordFunction) =>
    statementsOf(templateOf(fn), logicalIdOf(fn.function.role));
  const eventsId = logicalIdOf(stacks.data.tableFor(eventsTable));
  const connectionsId = logicalIdOf(stacks.data.tableFor(connectionsTable));
  const names = (fn: CoordFunction) => fn.node.path;

  it('covers the functions of every stack that has some', () => {
    expect(functions.length).toBeGreaterThan(ROUTES.length);
  });

  it.each(functions.map((fn) => [names(fn), fn] as const))(
    '%s is allowed no wildcard action, no Scan and BatchWriteItem on the Connections table only',
    (_name, fn) => {
      for (const statement of statementsOfFunction(fn).filter((s) => s.Effect === 'Allow')) {
        const actions = [statement.Action].flat();
        expect(actions.filter((action) => action.includes('*'))).toEqual([]);
        expect(actions).not.toContain('dynamodb:Scan');
        if (actions.includes('dynamodb:BatchWriteItem')) {
          expect(JSON.stringify(statement.Resource)).toContain(connectionsId);
          expect(JSON.stringify(statement.Resource)).not.toContain(eventsId);
        }
      }
    },
  );

  it.each(functions.map((fn) => [names(fn), fn] as const))(
    '%s may only append to the audit log, and is denied changing or removing its events',
    (_name, fn) => {
      const statements = statementsOfFunction(fn);
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        if (!JSON.stringify(statement.Resource).includes(eventsId)) continue;
        const writes = [statement.Action].flat().filter((action) => WRITES.includes(action));
        expect(writes.filter((action) => action !== 'dynamodb:PutItem')).toEqual([]);
      }
      const denials = statements.filter((s) => s.Effect === 'Deny');
      expect(denials).toHaveLength(1);
      expect([denials[0]?.Action].flat().sort()).toEqual([...AUDIT_DENIED_ACTIONS].sort());
      expect(JSON.stringify(denials[0]?.Resource)).toContain(eventsId);
    },
  );

  const metaId = logicalIdOf(stacks.data.tableFor(metaTable));
  /** The one write a read-only function may make: a token record's `lastUsedAt`. */
  const isTokenUseRecord = (statement: {
    Action: unknown;
    Resource: unknown;
    Condition?: unknown;
  }): boolean =>
    JSON.stringify([statement.Action].flat()) === JSON.stringify(['dynamodb:UpdateItem']) &&
    JSON.stringify(statement.Resource).includes(metaId) &&
    statement.Condition !== undefined;

  it.each(ROUTES.filter((route) => route.grants === 'read').map((route) => [route.id, route] as const))(
    'gives the read-only %s function no write action on any table but the time of its token use',
    (id, route) => {
      const fn = stacks.api.routes.functions.get(id);
      if (!fn) throw new Error(`No function for ${id}`);
      const allowedStatements = statementsOfFunction(fn).filter((s) => s.Effect === 'Allow');
      const allowed = allowedStatements.filter((s) => !isTokenUseRecord(s)).flatMap((s) => [s.Action].flat());
      expect([...new Set(allowed.filter((action) => action.startsWith('dynamodb:')))].sort()).toEqual(
        [...TABLE_READ_ACTIONS].sort(),
      );
      const tokenUse = allowedStatements.filter(isTokenUseRecord);
      expect(tokenUse).toHaveLength(route.access === 'public' ? 0 : 1);
      for (const statement of tokenUse) {
        expect(statement.Condition).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'lastUsedAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
        });
      }
    },
  );

  it.each([...stacks.realtime.routes.functions.values()].map((fn) => [names(fn), fn] as const))(
    'lets the WebSocket function %s record its token use, and only that, on the Meta table',
    (_name, fn) => {
      const statements = statementsOfFunction(fn).filter((s) => s.Effect === 'Allow');
      expect(statements.filter(isTokenUseRecord).length).toBeGreaterThanOrEqual(1);
    },
  );
});

describe('tableActions', () => {
  const stack = new Stack();
  const table = (id: string) =>
    Table.fromTableAttributes(stack, id, { tableName: `t-${id}`, grantIndexPermissions: true });

  it('writes the audit log with PutItem alone', () => {
    const events = table('Events');
    registerTable(events, eventsTable);
    expect(tableActions(events, 'readWrite')).toEqual([...TABLE_READ_ACTIONS, 'dynamodb:PutItem']);
  });

  it('adds BatchWriteItem for the Connections table only', () => {
    const connections = table('Connections');
    registerTable(connections, connectionsTable);
    const work = table('Work');
    registerTable(work, workTable);
    expect(tableActions(connections, 'readWrite')).toContain('dynamodb:BatchWriteItem');
    expect(tableActions(work, 'readWrite')).toEqual([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS]);
  });

  it('reads without writing', () => {
    const events = table('EventsRead');
    registerTable(events, eventsTable);
    expect(tableActions(events, 'read')).toEqual(TABLE_READ_ACTIONS);
    expect(tableActions(table('Unregistered'), 'read')).toEqual(TABLE_READ_ACTIONS);
  });
});
