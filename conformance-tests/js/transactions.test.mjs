// Multi-item operations: TransactWriteItems and TransactGetItems (all-or-nothing, positional
// CancellationReasons, ClientRequestToken idempotency, one action per item), BatchWriteItem and
// BatchGetItem across tables (UnprocessedItems, projections, duplicate keys), and the capacity
// the documented rules charge: 2 units per item in a transaction, 1 WCU per small batch put.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { createTable, deleteTables, makeClient, rejects, tableName } from './helpers.mjs';

const client = makeClient();
const doc = DynamoDBDocumentClient.from(client);

const accounts = tableName('tx-accounts'); // id: S
const orders = tableName('tx-orders'); // customer: S, seq: N
const customers = tableName('tx-customers'); // id: S
const capacity = tableName('tx-capacity'); // pk: S

before(async () => {
  await Promise.all([
    createTable(client, accounts, [['id', 'S']]),
    createTable(client, orders, [['customer', 'S'], ['seq', 'N']]),
    createTable(client, customers, [['id', 'S']]),
    createTable(client, capacity, [['pk', 'S']]),
  ]);
});

after(async () => {
  await deleteTables(client, [accounts, orders, customers, capacity]);
  doc.destroy();
  client.destroy();
});

const CCF_MESSAGE = 'The conditional request failed';
const cancelledMessage = (codes) =>
  `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;

const getAccount = async (id) =>
  (await doc.send(new GetCommand({ TableName: accounts, Key: { id }, ConsistentRead: true }))).Item;

// One leg of a transfer: move `delta` in or out of an account whose version must be `expected`;
// the debit side also requires enough funds.
function leg(id, delta, expected, extra = {}) {
  const debit = delta < 0;
  return {
    Update: {
      TableName: accounts,
      Key: { id },
      UpdateExpression: 'SET balance = balance + :delta, #v = #v + :one',
      ConditionExpression: debit ? '#v = :expected AND balance >= :need' : '#v = :expected',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: {
        ':delta': delta,
        ':one': 1,
        ':expected': expected,
        ...(debit ? { ':need': -delta } : {}),
      },
      ...extra,
    },
  };
}

// The third action: the bank must be open (OPEN is a reserved word, hence the name placeholder).
const bankOpen = (prefix, extra = {}) => ({
  ConditionCheck: {
    TableName: accounts,
    Key: { id: `${prefix}-bank` },
    ConditionExpression: '#open = :yes',
    ExpressionAttributeNames: { '#open': 'open' },
    ExpressionAttributeValues: { ':yes': true },
    ...extra,
  },
});

async function seedBank(prefix) {
  await Promise.all([
    doc.send(new PutCommand({ TableName: accounts, Item: { id: `${prefix}-a`, balance: 100, version: 1 } })),
    doc.send(new PutCommand({ TableName: accounts, Item: { id: `${prefix}-b`, balance: 50, version: 1 } })),
    doc.send(new PutCommand({ TableName: accounts, Item: { id: `${prefix}-bank`, open: true } })),
  ]);
}

// ---------------------------------------------------------------------------------------------
// TransactWriteItems

// A transfer of 30 from a to b guarded by both versions and a ConditionCheck on the bank item
// applies both updates; the checked item is left as it was.
test('TransactWriteCommand: a version-guarded transfer applies every action', async () => {
  await seedBank('ok');
  const out = await doc.send(
    new TransactWriteCommand({
      TransactItems: [leg('ok-a', -30, 1), leg('ok-b', 30, 1), bankOpen('ok')],
    }),
  );
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.equal(out.ConsumedCapacity, undefined); // not asked for
  assert.deepEqual(await getAccount('ok-a'), { id: 'ok-a', balance: 70, version: 2 });
  assert.deepEqual(await getAccount('ok-b'), { id: 'ok-b', balance: 80, version: 2 });
  assert.deepEqual(await getAccount('ok-bank'), { id: 'ok-bank', open: true });
});

// A second transfer still expecting version 1 on a is cancelled as a whole. CancellationReasons
// has one entry per action in request order; the failed one carries the documented message and,
// because it asked for ALL_OLD, the item as it is now (in AttributeValue form: the DocumentClient
// does not unmarshall errors). The action that passed asked for ALL_OLD too but gets no Item.
// Nothing is written: b, whose own condition held, is unchanged as well.
test('TransactWriteCommand: a stale version cancels the whole transaction', async () => {
  await seedBank('stale');
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [leg('stale-a', -30, 1), leg('stale-b', 30, 1), bankOpen('stale')],
    }),
  );
  const err = await rejects(() =>
    doc.send(
      new TransactWriteCommand({
        TransactItems: [
          leg('stale-a', -10, 1, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          leg('stale-b', 10, 2, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          bankOpen('stale'),
        ],
      }),
    ),
  );
  assert.equal(err.name, 'TransactionCanceledException');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.message, cancelledMessage(['ConditionalCheckFailed', 'None', 'None']));
  assert.deepEqual(err.CancellationReasons, [
    {
      Code: 'ConditionalCheckFailed',
      Message: CCF_MESSAGE,
      Item: { id: { S: 'stale-a' }, balance: { N: '70' }, version: { N: '2' } },
    },
    { Code: 'None' },
    { Code: 'None' },
  ]);
  assert.deepEqual(await getAccount('stale-a'), { id: 'stale-a', balance: 70, version: 2 });
  assert.deepEqual(await getAccount('stale-b'), { id: 'stale-b', balance: 80, version: 2 });
});

// A failing action without ReturnValuesOnConditionCheckFailure gets Code and Message but no Item,
// wherever it sits in the list; here the bank is closed and the two legs would have passed.
test('TransactWriteCommand: a failed ConditionCheck without ALL_OLD reports no Item', async () => {
  await seedBank('closed');
  await doc.send(new PutCommand({ TableName: accounts, Item: { id: 'closed-bank', open: false } }));
  const err = await rejects(() =>
    doc.send(
      new TransactWriteCommand({
        TransactItems: [leg('closed-a', -30, 1), leg('closed-b', 30, 1), bankOpen('closed')],
      }),
    ),
  );
  assert.equal(err.name, 'TransactionCanceledException');
  assert.equal(err.message, cancelledMessage(['None', 'None', 'ConditionalCheckFailed']));
  assert.deepEqual(err.CancellationReasons, [
    { Code: 'None' },
    { Code: 'None' },
    { Code: 'ConditionalCheckFailed', Message: CCF_MESSAGE },
  ]);
  assert.deepEqual(await getAccount('closed-a'), { id: 'closed-a', balance: 100, version: 1 });
  assert.deepEqual(await getAccount('closed-b'), { id: 'closed-b', balance: 50, version: 1 });
});

// ClientRequestToken makes the call idempotent: repeating the identical request with the same
// token succeeds without applying it again, so ADD counter :one ends at 1. Reusing the token for
// a different request is refused and changes nothing.
test('TransactWriteItems with a ClientRequestToken applies once', async () => {
  const token = randomUUID(); // 36 characters, the documented maximum
  const request = (amount, ClientRequestToken = token) =>
    new TransactWriteItemsCommand({
      ClientRequestToken,
      TransactItems: [
        {
          Update: {
            TableName: accounts,
            Key: { id: { S: 'idem-counter' } },
            UpdateExpression: 'ADD #c :one',
            ExpressionAttributeNames: { '#c': 'counter' },
            ExpressionAttributeValues: { ':one': { N: String(amount) } },
          },
        },
      ],
    });
  await client.send(request(1));
  const again = await client.send(request(1));
  assert.equal(again.$metadata.httpStatusCode, 200);
  assert.deepEqual(await getAccount('idem-counter'), { id: 'idem-counter', counter: 1 });

  const mismatch = await rejects(() => client.send(request(2)));
  assert.equal(mismatch.name, 'IdempotentParameterMismatchException');
  assert.equal(mismatch.$metadata.httpStatusCode, 400);
  assert.deepEqual(await getAccount('idem-counter'), { id: 'idem-counter', counter: 1 });

  // A fresh token is a new request and is applied.
  await client.send(request(1, randomUUID()));
  assert.deepEqual(await getAccount('idem-counter'), { id: 'idem-counter', counter: 2 });
});

// Two actions on the same item (same table and key) are rejected before anything is evaluated,
// for writes and for reads alike.
test('a transaction cannot include multiple operations on one item', async () => {
  await doc.send(new PutCommand({ TableName: accounts, Item: { id: 'dup', n: 1 } }));
  const write = await rejects(() =>
    doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: accounts, Item: { id: 'dup', n: 2 } } },
          {
            ConditionCheck: {
              TableName: accounts,
              Key: { id: 'dup' },
              ConditionExpression: 'attribute_exists(id)',
            },
          },
        ],
      }),
    ),
  );
  assert.equal(write.name, 'ValidationException');
  assert.equal(write.message, 'Transaction request cannot include multiple operations on one item');
  assert.deepEqual(await getAccount('dup'), { id: 'dup', n: 1 });

  const read = await rejects(() =>
    doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: accounts, Key: { id: 'dup' } } },
          { Get: { TableName: accounts, Key: { id: 'dup' } } },
        ],
      }),
    ),
  );
  assert.equal(read.name, 'ValidationException');
  assert.equal(read.message, 'Transaction request cannot include multiple operations on one item');
});

// TransactItems must hold at least one action (a model constraint, reported as a
// ValidationException in the usual "1 validation error detected" form).
test('empty TransactItems is a ValidationException', async () => {
  const write = await rejects(() => client.send(new TransactWriteItemsCommand({ TransactItems: [] })));
  assert.equal(write.name, 'ValidationException');
  assert.match(write.message, /Member must have length greater than or equal to 1/);
  const read = await rejects(() => client.send(new TransactGetItemsCommand({ TransactItems: [] })));
  assert.equal(read.name, 'ValidationException');
  assert.match(read.message, /Member must have length greater than or equal to 1/);
});

// ---------------------------------------------------------------------------------------------
// TransactGetItems

// Responses are positional: one entry per Get, in request order; a key with no item is an empty
// object (no Item), and each Get's ProjectionExpression applies to its own entry only.
test('TransactGetCommand: positional Responses, missing items, projections', async () => {
  await Promise.all([
    doc.send(
      new PutCommand({
        TableName: accounts,
        Item: { id: 'tg-1', balance: 5, owner: { name: 'Ada', city: 'London' }, tags: ['x', 'y'] },
      }),
    ),
    doc.send(new PutCommand({ TableName: customers, Item: { id: 'tg-2', tier: 'gold', since: 2019 } })),
  ]);
  const out = await doc.send(
    new TransactGetCommand({
      TransactItems: [
        {
          Get: {
            TableName: accounts,
            Key: { id: 'tg-1' },
            ProjectionExpression: '#o.#n, tags[1]',
            ExpressionAttributeNames: { '#o': 'owner', '#n': 'name' },
          },
        },
        { Get: { TableName: accounts, Key: { id: 'tg-missing' } } },
        { Get: { TableName: customers, Key: { id: 'tg-2' } } },
      ],
    }),
  );
  assert.deepEqual(out.Responses, [
    { Item: { owner: { name: 'Ada' }, tags: ['y'] } },
    {},
    { Item: { id: 'tg-2', tier: 'gold', since: 2019 } },
  ]);
});

// ---------------------------------------------------------------------------------------------
// BatchWriteItem / BatchGetItem

// Puts and deletes across two tables in one BatchWriteCommand all succeed (UnprocessedItems is an
// empty map); a BatchGetCommand with a projection per table returns exactly the surviving items,
// projected, in no promised order.
test('BatchWriteCommand across two tables, then BatchGetCommand with projections', async () => {
  await Promise.all([
    doc.send(new PutCommand({ TableName: orders, Item: { customer: 'bw', seq: 3, name: 'old', qty: 9 } })),
    doc.send(new PutCommand({ TableName: customers, Item: { id: 'bw-gone', name: 'Gone', tier: 'x' } })),
  ]);
  const written = await doc.send(
    new BatchWriteCommand({
      RequestItems: {
        [orders]: [
          { PutRequest: { Item: { customer: 'bw', seq: 1, name: 'pen', qty: 2, note: 'n1' } } },
          { PutRequest: { Item: { customer: 'bw', seq: 2, name: 'ink', qty: 5, note: 'n2' } } },
          { DeleteRequest: { Key: { customer: 'bw', seq: 3 } } },
        ],
        [customers]: [
          { PutRequest: { Item: { id: 'bw-ada', name: 'Ada', tier: 'gold', email: 'a@x' } } },
          { DeleteRequest: { Key: { id: 'bw-gone' } } },
        ],
      },
    }),
  );
  assert.deepEqual(written.UnprocessedItems, {});

  const got = await doc.send(
    new BatchGetCommand({
      RequestItems: {
        [orders]: {
          Keys: [1, 2, 3].map((seq) => ({ customer: 'bw', seq })),
          ProjectionExpression: 'seq, #n', // NAME is a reserved word
          ExpressionAttributeNames: { '#n': 'name' },
          ConsistentRead: true,
        },
        [customers]: {
          Keys: [{ id: 'bw-ada' }, { id: 'bw-gone' }],
          ProjectionExpression: '#n, tier',
          ExpressionAttributeNames: { '#n': 'name' },
          ConsistentRead: true,
        },
      },
    }),
  );
  assert.deepEqual(got.UnprocessedKeys, {});
  assert.deepEqual(Object.keys(got.Responses).sort(), [orders, customers].sort());
  const bySeq = [...got.Responses[orders]].sort((x, y) => x.seq - y.seq);
  assert.deepEqual(bySeq, [
    { seq: 1, name: 'pen' },
    { seq: 2, name: 'ink' },
  ]);
  assert.deepEqual(got.Responses[customers], [{ name: 'Ada', tier: 'gold' }]);
});

// The same key twice in one table's Keys is rejected as a whole.
test('BatchGetCommand with duplicate keys is a ValidationException', async () => {
  const err = await rejects(() =>
    doc.send(
      new BatchGetCommand({
        RequestItems: {
          [customers]: { Keys: [{ id: 'dupe' }, { id: 'other' }, { id: 'dupe' }] },
        },
      }),
    ),
  );
  assert.equal(err.name, 'ValidationException');
  assert.equal(err.message, 'Provided list of item keys contains duplicates');
});

// ---------------------------------------------------------------------------------------------
// ConsumedCapacity

const small = (pk) => ({ pk: { S: pk }, v: { N: '1' } }); // ~10 bytes

// Transactional writes cost 2 WCU per item: two small puts are 4, reported per table with the
// write units broken out.
test('TransactWriteItems of two small puts consumes 4 WCU', async () => {
  const out = await client.send(
    new TransactWriteItemsCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { Put: { TableName: capacity, Item: small('tw-1') } },
        { Put: { TableName: capacity, Item: small('tw-2') } },
      ],
    }),
  );
  assert.deepEqual(out.ConsumedCapacity, [
    { TableName: capacity, CapacityUnits: 4, WriteCapacityUnits: 4 },
  ]);
});

// Transactional reads cost 2 RCU per item, and reading a key with no item still costs them.
test('TransactGetItems of a present and a missing small item consumes 4 RCU', async () => {
  await client.send(new PutItemCommand({ TableName: capacity, Item: small('tg-present') }));
  const out = await client.send(
    new TransactGetItemsCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { Get: { TableName: capacity, Key: { pk: { S: 'tg-present' } } } },
        { Get: { TableName: capacity, Key: { pk: { S: 'tg-absent' } } } },
      ],
    }),
  );
  assert.deepEqual(out.Responses, [{ Item: small('tg-present') }, {}]);
  assert.deepEqual(out.ConsumedCapacity, [
    { TableName: capacity, CapacityUnits: 4, ReadCapacityUnits: 4 },
  ]);
});

// A batch write is charged like the single writes it contains: 1 WCU per small put.
test('BatchWriteItem of three small puts consumes 3 WCU', async () => {
  const out = await client.send(
    new BatchWriteItemCommand({
      ReturnConsumedCapacity: 'TOTAL',
      RequestItems: {
        [capacity]: ['bw-1', 'bw-2', 'bw-3'].map((pk) => ({ PutRequest: { Item: small(pk) } })),
      },
    }),
  );
  assert.deepEqual(out.UnprocessedItems, {});
  assert.deepEqual(out.ConsumedCapacity, [{ TableName: capacity, CapacityUnits: 3 }]);
});
