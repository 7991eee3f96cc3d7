// Edges of the core that the hardening changed, through the JavaScript SDK v3 as applications
// call it: updates whose result would nest too deep, updates that only remove, REMOVE of several
// list elements, large set arithmetic, and the DocumentClient's view of the same.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createTable, deleteTables, makeClient, normalize, rejects, tableName } from './helpers.mjs';

const client = makeClient();
const doc = DynamoDBDocumentClient.from(client);
const table = tableName('core-edges'); // pk: S

before(async () => {
  await createTable(client, table, [['pk', 'S']]);
});

after(async () => {
  await deleteTables(client, [table]);
  client.destroy();
});

const get = async (pk) =>
  (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;

// Copying a subtree into itself (SET a.b... = a) must not store an item nested past 32 levels:
// DynamoDB refuses it and the stored item stays as it was (ddbd once stored it and then answered
// 500 for every later request on the key).
test('an update that would nest past 32 levels is refused and changes nothing', async () => {
  let value = { S: 'leaf' };
  for (let i = 0; i < 19; i++) value = { M: { b: value } };
  await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'deep' }, a: value } }));
  const before = await get('deep');
  const err = await rejects(() =>
    client.send(new UpdateItemCommand({
      TableName: table, Key: { pk: { S: 'deep' } },
      UpdateExpression: 'SET a.b.b.b.b.b.b.b.b.b.b.b.b.b.b = a',
    })));
  assert.equal(err.name, 'ValidationException');
  assert.match(err.message, /^Nesting Levels have exceeded supported limits/);
  assert.deepEqual(normalize(await get('deep')), normalize(before));
});

// An UpdateItem that only removes does not create the item it names, and returns no attributes;
// applications relying on "update creates" must not see an empty item appear.
test('a remove-only update of an absent item creates nothing', async () => {
  const out = await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'absent-remove' }, UpdateExpression: 'REMOVE x, y',
    ReturnValues: 'ALL_NEW',
  }));
  assert.equal(out.Attributes, undefined);
  assert.equal(await get('absent-remove'), undefined);
});

// REMOVE of several list elements names them by their indexes in the item before the update.
test('REMOVE of several list elements resolves each against the original item', async () => {
  await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'lists' },
    UpdateExpression: 'SET l = :l',
    ExpressionAttributeValues: { ':l': [['x0', 'x1'], ['y0', 'y1'], { b: 'z', c: 'w' }] },
  }));
  const out = await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'lists' }, UpdateExpression: 'REMOVE l[0], l[1][0], l[2].b',
    ReturnValues: 'ALL_NEW',
  }));
  assert.deepEqual(out.Attributes.l, [['y1'], { c: 'w' }]);
});

// Adding 20,000 members to a 20,000-member set is linear-time work for the server, and the set
// comes back with exactly the union.
test('large string-set ADD and DELETE', async () => {
  const range = (lo, hi) => Array.from({ length: hi - lo }, (_, i) => `m${String(lo + i).padStart(5, '0')}`);
  await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'sets' }, UpdateExpression: 'ADD s :s',
    ExpressionAttributeValues: { ':s': new Set(range(0, 20000)) },
  }));
  await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'sets' }, UpdateExpression: 'ADD s :s',
    ExpressionAttributeValues: { ':s': new Set(range(10000, 30000)) },
  }));
  let item = await get('sets');
  assert.equal(item.s.SS.length, 30000);
  await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: 'sets' }, UpdateExpression: 'DELETE s :s',
    ExpressionAttributeValues: { ':s': new Set(range(0, 29999)) },
  }));
  item = await get('sets');
  assert.deepEqual(item.s.SS, ['m29999']);
});
