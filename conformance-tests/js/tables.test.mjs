// Table lifecycle through the AWS SDK for JavaScript v3: CreateTable, DescribeTable, ListTables
// (paging), DeleteTable, and the errors each one gives for a missing or existing table.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { createTable, deleteTables, makeClient, rejects, tableName } from './helpers.mjs';

const client = makeClient();
const hashOnly = tableName('tbl-hash');
const composite = tableName('tbl-composite');
const provisioned = tableName('tbl-prov');
const listPrefix = tableName('list');
const listed = [`${listPrefix}-a`, `${listPrefix}-b`, `${listPrefix}-c`];
const doomed = tableName('tbl-doomed');
const missing = tableName('never-created');
const all = [hashOnly, composite, provisioned, doomed, ...listed];
let createOut;

before(async () => {
  [createOut] = await Promise.all([
    createTable(client, hashOnly, [['pk', 'S']]),
    createTable(client, composite, [['pk', 'S'], ['sk', 'N']]),
    createTable(client, provisioned, [['id', 'B']], {
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
    }),
    createTable(client, doomed, [['pk', 'S']]),
    ...listed.map((name) => createTable(client, name, [['pk', 'S']])),
  ]);
});

after(async () => {
  await deleteTables(client, all);
  client.destroy();
});

const byName = (a, b) => (a.AttributeName < b.AttributeName ? -1 : 1);

// CreateTable answers with a TableDescription echoing the requested schema (SDKs and IaC tools
// read it straight away, before the first DescribeTable).
test('CreateTable returns the table description', () => {
  const d = createOut.TableDescription;
  assert.equal(d.TableName, hashOnly);
  assert.deepEqual(d.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  assert.deepEqual(d.AttributeDefinitions, [{ AttributeName: 'pk', AttributeType: 'S' }]);
  assert.ok(['CREATING', 'ACTIVE'].includes(d.TableStatus), d.TableStatus);
  assert.ok(d.CreationDateTime instanceof Date);
  assert.match(d.TableArn, new RegExp(`^arn:aws:dynamodb:us-east-1:\\d{12}:table/${hashOnly}$`));
});

// DescribeTable of an ACTIVE composite-key table: key order HASH then RANGE, empty counters,
// on-demand billing reported in BillingModeSummary.
test('DescribeTable reports schema, status, counters and billing mode', async () => {
  const { Table: t } = await client.send(new DescribeTableCommand({ TableName: composite }));
  assert.equal(t.TableName, composite);
  assert.equal(t.TableStatus, 'ACTIVE');
  assert.deepEqual(t.KeySchema, [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  assert.deepEqual([...t.AttributeDefinitions].sort(byName), [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
  ]);
  assert.equal(t.ItemCount, 0);
  assert.equal(t.TableSizeBytes, 0);
  assert.equal(t.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  assert.ok(t.CreationDateTime instanceof Date);
  assert.match(t.TableArn, new RegExp(`^arn:aws:dynamodb:us-east-1:\\d{12}:table/${composite}$`));
});

// A provisioned table must report the throughput it was created with (capacity planners and
// Terraform diff against it).
test('DescribeTable reports provisioned throughput', async () => {
  const { Table: t } = await client.send(new DescribeTableCommand({ TableName: provisioned }));
  assert.equal(t.ProvisionedThroughput.ReadCapacityUnits, 5);
  assert.equal(t.ProvisionedThroughput.WriteCapacityUnits, 7);
  assert.equal(t.ProvisionedThroughput.NumberOfDecreasesToday, 0);
  assert.deepEqual(t.AttributeDefinitions, [{ AttributeName: 'id', AttributeType: 'B' }]);
});

// ListTables pages in table-name order: Limit caps a page, LastEvaluatedTableName is the last
// name returned, and ExclusiveStartTableName (which need not exist) resumes after it.
test('ListTables pages with Limit and ExclusiveStartTableName', async () => {
  // listPrefix itself sorts immediately before "<listPrefix>-a".
  const first = await client.send(
    new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: listPrefix }),
  );
  assert.deepEqual(first.TableNames, [listed[0], listed[1]]);
  assert.equal(first.LastEvaluatedTableName, listed[1]);

  const second = await client.send(
    new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: first.LastEvaluatedTableName }),
  );
  assert.equal(second.TableNames[0], listed[2]);
  assert.ok(second.TableNames.length <= 2);

  const one = await client.send(
    new ListTablesCommand({ Limit: 1, ExclusiveStartTableName: listed[0] }),
  );
  assert.deepEqual(one.TableNames, [listed[1]]);
  assert.equal(one.LastEvaluatedTableName, listed[1]);
});

// Following LastEvaluatedTableName to the end visits every table once, in ascending order.
test('ListTables paging to the end lists every table once, sorted', async () => {
  const names = [];
  let start;
  for (let page = 0; page < 1000; page++) {
    const out = await client.send(new ListTablesCommand({ Limit: 3, ExclusiveStartTableName: start }));
    assert.ok(out.TableNames.length <= 3);
    names.push(...out.TableNames);
    if (!out.LastEvaluatedTableName) break;
    assert.equal(out.LastEvaluatedTableName, out.TableNames.at(-1));
    start = out.LastEvaluatedTableName;
  }
  for (const name of [hashOnly, composite, provisioned, ...listed]) {
    assert.equal(names.filter((n) => n === name).length, 1, name);
  }
  assert.deepEqual(names, [...names].sort());
});

// ListTables Limit must be 1..100; the service rejects 0 rather than returning nothing.
test('ListTables rejects Limit 0', async () => {
  const err = await rejects(() => client.send(new ListTablesCommand({ Limit: 0 })));
  assert.equal(err.name, 'ValidationException');
  assert.match(err.message, /limit/);
});

// Creating a table that already exists is ResourceInUseException naming the table; SDK helpers
// such as "create if missing" depend on this code.
test('CreateTable on an existing table is ResourceInUseException', async () => {
  const err = await rejects(() =>
    client.send(
      new CreateTableCommand({
        TableName: hashOnly,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
  );
  assert.equal(err.name, 'ResourceInUseException');
  assert.equal(err.message, `Table already exists: ${hashOnly}`);
  assert.equal(err.$metadata.httpStatusCode, 400);
});

// Table names are 3-255 characters of [a-zA-Z0-9_.-]; a two-letter name is a ValidationException.
test('CreateTable rejects a too-short table name', async () => {
  const err = await rejects(() =>
    client.send(
      new CreateTableCommand({
        TableName: 'ab',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
  );
  assert.equal(err.name, 'ValidationException');
  assert.match(err.message, /tablename/i);
});

// DescribeTable of a table that never existed is ResourceNotFoundException (waiters poll on it).
test('DescribeTable on a missing table is ResourceNotFoundException', async () => {
  const err = await rejects(() => client.send(new DescribeTableCommand({ TableName: missing })));
  assert.equal(err.name, 'ResourceNotFoundException');
  // Table-level operations name the table, unlike item operations.
  assert.equal(err.message, `Requested resource not found: Table: ${missing} not found`);
  assert.equal(err.$metadata.httpStatusCode, 400);
});

// DeleteTable answers with the description of the table going away; afterwards the table is
// gone from DescribeTable, and deleting it again is ResourceNotFoundException.
test('DeleteTable removes the table', async () => {
  const out = await client.send(new DeleteTableCommand({ TableName: doomed }));
  assert.equal(out.TableDescription.TableName, doomed);
  assert.ok(['DELETING', 'ACTIVE'].includes(out.TableDescription.TableStatus));
  await waitUntilTableNotExists(
    { client, maxWaitTime: 180, minDelay: 1, maxDelay: 5 },
    { TableName: doomed },
  );
  const describeErr = await rejects(() =>
    client.send(new DescribeTableCommand({ TableName: doomed })),
  );
  assert.equal(describeErr.name, 'ResourceNotFoundException');
  const deleteErr = await rejects(() => client.send(new DeleteTableCommand({ TableName: doomed })));
  assert.equal(deleteErr.name, 'ResourceNotFoundException');
  assert.equal(deleteErr.message, `Requested resource not found: Table: ${doomed} not found`);
});
