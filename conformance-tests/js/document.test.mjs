// The DynamoDB DocumentClient (@aws-sdk/lib-dynamodb), which most JavaScript applications use:
// plain JS objects, Sets and nested documents in, the same values out.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { createTable, deleteTables, makeClient, normalize, rejects, tableName } from './helpers.mjs';

const client = makeClient();
const doc = DynamoDBDocumentClient.from(client);
const table = tableName('doc'); // id: S, n: N
const missing = tableName('doc-missing');

before(async () => {
  await createTable(client, table, [['id', 'S'], ['n', 'N']]);
});

after(async () => {
  await deleteTables(client, [table]);
  doc.destroy();
  client.destroy();
});

// Binary values may come back as Buffer or Uint8Array; compare them as byte arrays.
function plain(value) {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (value instanceof Set) return new Set([...value].map(plain));
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const sample = {
  id: 'doc-1',
  n: 7,
  title: 'Hello, DocumentClient',
  price: 12.75,
  negative: -3,
  zero: 0,
  active: true,
  retired: false,
  nothing: null,
  empty: '',
  tags: new Set(['red', 'green', 'blue']),
  scores: new Set([1, 2.5, -4]),
  blobs: new Set([new Uint8Array([1, 2]), new Uint8Array([3])]),
  raw: new Uint8Array([0, 255, 16]),
  profile: {
    name: 'Ada',
    address: { city: 'London', zip: 'NW1', lines: ['1 Main St', 'Flat 2'] },
    prefs: { theme: 'dark', notify: false },
    emptyMap: {},
  },
  history: [1, 'two', { three: 3 }, [4, [5]], null, true, new Set(['s'])],
  emptyList: [],
};

// Whatever a JavaScript application writes through the DocumentClient it must read back equal:
// sets stay Sets, nested maps and lists keep their shape, numbers stay numbers.
test('PutCommand/GetCommand round-trip a plain JS document', async () => {
  await doc.send(new PutCommand({ TableName: table, Item: sample }));
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: { id: 'doc-1', n: 7 }, ConsistentRead: true }),
  );
  assert.deepEqual(plain(Item), plain(sample));
  assert.ok(Item.tags instanceof Set);
  assert.ok(Item.scores instanceof Set);
  assert.equal(typeof Item.price, 'number');
});

// The server must store what the DocumentClient marshalled with the right types: JS Sets become
// SS/NS/BS, objects M, arrays L (checked through the low-level client).
test('DocumentClient values are stored with DynamoDB types', async () => {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { id: { S: 'doc-1' }, n: { N: '7' } },
      ConsistentRead: true,
    }),
  );
  assert.deepEqual(normalize(Item.tags), { SS: ['blue', 'green', 'red'] });
  assert.deepEqual(normalize(Item.scores), { NS: ['-4', '1', '2.5'] });
  assert.deepEqual(normalize(Item.blobs), { BS: [[1, 2], [3]] });
  assert.deepEqual(Item.nothing, { NULL: true });
  assert.equal(Object.keys(Item.profile)[0], 'M');
  assert.equal(Object.keys(Item.history)[0], 'L');
  assert.deepEqual(Item.price, { N: '12.75' });
});

// GetCommand with a projection through the DocumentClient returns only the projected parts.
test('GetCommand with a nested ProjectionExpression', async () => {
  await doc.send(new PutCommand({ TableName: table, Item: { ...sample, id: 'doc-proj' } }));
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { id: 'doc-proj', n: 7 },
      ConsistentRead: true,
      ProjectionExpression: '#p.#a.#c, #p.#a.#l[0], #h[2]',
      ExpressionAttributeNames: {
        '#p': 'profile',
        '#a': 'address',
        '#c': 'city',
        '#l': 'lines', // LINES is a reserved word
        '#h': 'history',
      },
    }),
  );
  assert.deepEqual(Item, {
    profile: { address: { city: 'London', lines: ['1 Main St'] } },
    history: [{ three: 3 }],
  });
});

// PutCommand ReturnValues ALL_OLD and DeleteCommand ReturnValues ALL_OLD hand back the previous
// item as a plain object; afterwards GetCommand finds nothing.
test('PutCommand and DeleteCommand with ReturnValues ALL_OLD', async () => {
  const key = { id: 'doc-2', n: 1.5 };
  const created = await doc.send(
    new PutCommand({ TableName: table, Item: { ...key, v: 'one' }, ReturnValues: 'ALL_OLD' }),
  );
  assert.equal(created.Attributes, undefined);
  const replaced = await doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...key, v: 'two', list: [{ a: 1 }] },
      ReturnValues: 'ALL_OLD',
    }),
  );
  assert.deepEqual(replaced.Attributes, { ...key, v: 'one' });
  const deleted = await doc.send(
    new DeleteCommand({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }),
  );
  assert.deepEqual(deleted.Attributes, { ...key, v: 'two', list: [{ a: 1 }] });
  const gone = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  assert.equal(gone.Item, undefined);
});

// Errors surface through the DocumentClient unchanged: unknown table and a wrongly typed key.
test('DocumentClient errors keep their DynamoDB names', async () => {
  const notFound = await rejects(() =>
    doc.send(new GetCommand({ TableName: missing, Key: { id: 'x', n: 1 } })),
  );
  assert.equal(notFound.name, 'ResourceNotFoundException');
  assert.equal(notFound.message, 'Requested resource not found');
  const mismatch = await rejects(() =>
    doc.send(new PutCommand({ TableName: table, Item: { id: 'x', n: 'not a number' } })),
  );
  assert.equal(mismatch.name, 'ValidationException');
  assert.equal(
    mismatch.message,
    'One or more parameter values were invalid: Type mismatch for key n expected: N actual: S',
  );
});
