// Query and Scan through the JavaScript SDK v3 as applications call them: the paginators, the
// DocumentClient's Query and parallel Scan, filters with Count/ScannedCount, Select COUNT,
// projections with placeholders, queries on a GSI and an LSI, and the validation errors.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand as DocQueryCommand,
  ScanCommand as DocScanCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  createTable,
  deleteTables,
  makeClient,
  rejects,
  sleep,
  tableName,
  waitForActive,
} from './helpers.mjs';

const client = makeClient();
const doc = DynamoDBDocumentClient.from(client);
const table = tableName('query'); // pk: S, sk: S
const scanTable = tableName('query-scan'); // pk: S
const indexTable = tableName('query-idx'); // pk: S, sk: N; GSI by_status (status S, at N), LSI by_rank (rank N)

const USER = 'user#1';
const ORDER_COUNT = 20;
const orderSk = (i) => `order#${String(i).padStart(3, '0')}`;
// Partition USER: 20 orders, two addresses and a profile; in sort-key order the addresses come
// first and the profile last ("a" < "o" < "p").
const USER_SKS = ['address#home', 'address#work', ...Array.from({ length: ORDER_COUNT }, (_, i) => orderSk(i)), 'profile'];
const SCAN_COUNT = 30;

function orderItem(i) {
  return {
    pk: USER,
    sk: orderSk(i),
    n: i,
    status: i % 2 === 0 ? 'shipped' : 'pending',
    name: `order ${i}`,
    info: { city: i % 3 === 0 ? 'Oslo' : 'Paris', zip: `0${i}` },
  };
}

// Waits until DescribeTable shows every GSI ACTIVE (the real service may lag the table).
async function waitForIndexes(name) {
  await waitForActive(client, name);
  for (let i = 0; i < 600; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if ((Table.GlobalSecondaryIndexes || []).every((g) => g.IndexStatus === 'ACTIVE')) return Table;
    await sleep(1000);
  }
  throw new Error(`indexes of ${name} never became ACTIVE`);
}

// GSIs are eventually consistent on the real service: calls fn until ok(result) or ~20 s pass.
async function eventually(fn, ok, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

async function collect(pages) {
  const out = [];
  for await (const page of pages) out.push(page);
  return out;
}

before(async () => {
  await Promise.all([
    createTable(client, table, [['pk', 'S'], ['sk', 'S']]),
    createTable(client, scanTable, [['pk', 'S']]),
    client.send(new CreateTableCommand({
      TableName: indexTable,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'at', AttributeType: 'N' },
        { AttributeName: 'rank', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: 'by_status',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
      LocalSecondaryIndexes: [{
        IndexName: 'by_rank',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'rank', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }],
    })).then(() => waitForIndexes(indexTable)),
  ]);
  // Written in scrambled order: the order of results must come from the keys.
  const items = [
    ...Array.from({ length: ORDER_COUNT }, (_, i) => orderItem((i * 7) % ORDER_COUNT)),
    { pk: USER, sk: 'profile', name: 'Ada' },
    { pk: USER, sk: 'address#work', city: 'Paris' },
    { pk: USER, sk: 'address#home', city: 'Oslo' },
    { pk: 'user#2', sk: orderSk(0), n: 100, status: 'shipped' }, // a neighbouring partition
  ];
  for (const item of items) await doc.send(new PutCommand({ TableName: table, Item: item }));
  await Promise.all(Array.from({ length: SCAN_COUNT }, (_, i) =>
    doc.send(new PutCommand({ TableName: scanTable, Item: { pk: `item-${String(i).padStart(2, '0')}`, n: i } }))));
});

after(async () => {
  await deleteTables(client, [table, scanTable, indexTable]);
  client.destroy();
});

// paginateQuery follows LastEvaluatedKey until it is absent: with Limit 4 every item of the
// partition comes back exactly once, in ascending sort-key order, and no other partition leaks in.
test('paginateQuery walks every page in sort-key order', async () => {
  const pages = await collect(paginateQuery({ client, pageSize: 4 }, {
    TableName: table,
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': { S: USER } },
    ConsistentRead: true,
  }));
  assert.equal(pages.length, Math.ceil(USER_SKS.length / 4));
  for (const page of pages) assert.ok(page.Items.length <= 4 && page.Count === page.Items.length);
  const sks = pages.flatMap((p) => p.Items.map((i) => i.sk.S));
  assert.deepEqual(sks, USER_SKS);
  assert.deepEqual(sks, [...sks].sort());
  assert.equal(pages.at(-1).LastEvaluatedKey, undefined);
  assert.deepEqual(pages[0].LastEvaluatedKey, { pk: { S: USER }, sk: { S: USER_SKS[3] } });
});

// With a filter, a page can hold no matches yet still carry a LastEvaluatedKey; the paginator
// must keep going (applications that stop at the first empty page lose data).
test('paginateQuery continues past pages emptied by the filter', async () => {
  const pages = await collect(paginateQuery({ client, pageSize: 3 }, {
    TableName: table,
    KeyConditionExpression: 'pk = :p',
    FilterExpression: '#n >= :min',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':p': { S: USER }, ':min': { N: '18' } },
    ScanIndexForward: false,
    ConsistentRead: true,
  }));
  // Descending: profile, order#019, order#018 on the first page, then only non-matches.
  assert.deepEqual(pages.flatMap((p) => p.Items.map((i) => i.sk.S)), [orderSk(19), orderSk(18)]);
  assert.ok(pages.some((p) => p.Count === 0 && p.LastEvaluatedKey), 'expected an empty page with a LastEvaluatedKey');
  assert.equal(pages.reduce((sum, p) => sum + p.ScannedCount, 0), USER_SKS.length);
});

// paginateScan returns every item of the table exactly once across pages of at most Limit items.
test('paginateScan walks every page and returns every item once', async () => {
  const pages = await collect(paginateScan({ client, pageSize: 7 }, { TableName: scanTable, ConsistentRead: true }));
  assert.ok(pages.length >= Math.ceil(SCAN_COUNT / 7));
  for (const page of pages) assert.ok(page.Items.length <= 7);
  const keys = pages.flatMap((p) => p.Items.map((i) => i.pk.S));
  assert.equal(keys.length, SCAN_COUNT);
  assert.deepEqual([...keys].sort(), Array.from({ length: SCAN_COUNT }, (_, i) => `item-${String(i).padStart(2, '0')}`));
  assert.equal(pages.at(-1).LastEvaluatedKey, undefined);
});

// The DocumentClient form most code uses: begins_with on the sort key, newest first, plain JS values.
test('DocumentClient Query with begins_with and ScanIndexForward false', async () => {
  const out = await doc.send(new DocQueryCommand({
    TableName: table,
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :pre)',
    ExpressionAttributeValues: { ':p': USER, ':pre': 'order#01' },
    ScanIndexForward: false,
    ConsistentRead: true,
  }));
  assert.deepEqual(out.Items.map((i) => i.sk), Array.from({ length: 10 }, (_, i) => orderSk(19 - i)));
  assert.equal(out.Count, 10);
  assert.equal(out.ScannedCount, 10);
  assert.deepEqual(out.Items[0], orderItem(19));
  assert.equal(out.LastEvaluatedKey, undefined);
});

// A filter runs after the read: Count is what matched, ScannedCount what was read; with Limit
// the limit applies to items read, not items returned.
test('FilterExpression: Count counts matches, ScannedCount counts items read', async () => {
  const params = {
    TableName: table,
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :pre)',
    FilterExpression: '#s = :st',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':p': USER, ':pre': 'order#', ':st': 'shipped' },
    ConsistentRead: true,
  };
  const all = await doc.send(new DocQueryCommand(params));
  assert.equal(all.Count, 10);
  assert.equal(all.ScannedCount, ORDER_COUNT);
  assert.ok(all.Items.every((i) => i.status === 'shipped'));
  const limited = await doc.send(new DocQueryCommand({ ...params, Limit: 5 }));
  assert.equal(limited.ScannedCount, 5);
  assert.deepEqual(limited.Items.map((i) => i.sk), [orderSk(0), orderSk(2), orderSk(4)]);
  assert.equal(limited.Count, 3);
  assert.deepEqual(limited.LastEvaluatedKey, { pk: USER, sk: orderSk(4) });
});

// Select COUNT returns the numbers without any Items, for a Query and a Scan, filtered or not.
test('Select COUNT returns counts and no items', async () => {
  const q = await client.send(new QueryCommand({
    TableName: table,
    KeyConditionExpression: 'pk = :p',
    FilterExpression: 'attribute_exists(info)',
    ExpressionAttributeValues: { ':p': { S: USER } },
    Select: 'COUNT',
    ConsistentRead: true,
  }));
  assert.equal(q.Items, undefined);
  assert.equal(q.Count, ORDER_COUNT);
  assert.equal(q.ScannedCount, USER_SKS.length);
  const s = await client.send(new ScanCommand({ TableName: scanTable, Select: 'COUNT', ConsistentRead: true }));
  assert.equal(s.Items, undefined);
  assert.equal(s.Count, SCAN_COUNT);
  assert.equal(s.ScannedCount, SCAN_COUNT);
});

// A projection names reserved words ("name", "status") and nested paths through #placeholders;
// only the projected attributes come back, nested ones inside their map.
test('ProjectionExpression with ExpressionAttributeNames', async () => {
  const out = await doc.send(new DocQueryCommand({
    TableName: table,
    KeyConditionExpression: 'pk = :p AND sk BETWEEN :lo AND :hi',
    ProjectionExpression: 'sk, #n, #s, #i.#c',
    ExpressionAttributeNames: { '#n': 'name', '#s': 'status', '#i': 'info', '#c': 'city' },
    ExpressionAttributeValues: { ':p': USER, ':lo': orderSk(3), ':hi': orderSk(4) },
    ConsistentRead: true,
  }));
  assert.deepEqual(out.Items, [
    { sk: orderSk(3), name: 'order 3', status: 'pending', info: { city: 'Oslo' } },
    { sk: orderSk(4), name: 'order 4', status: 'shipped', info: { city: 'Paris' } },
  ]);
});

// A GSI made by CreateTable is queried with IndexName: results are ordered by the index sort key,
// items without the index keys are absent (sparse), and a page's LastEvaluatedKey holds the
// index keys plus the table keys.
test('Query on a global secondary index', async () => {
  const items = [
    { pk: 'g-a', sk: 1, status: 'open', at: 30, rank: 1 },
    { pk: 'g-b', sk: 1, status: 'open', at: 10, rank: 1 },
    { pk: 'g-c', sk: 2, status: 'open', at: 20, rank: 1 },
    { pk: 'g-d', sk: 1, status: 'closed', at: 5, rank: 1 },
    { pk: 'g-e', sk: 1, status: 'open' }, // no "at": not in the index
  ];
  await Promise.all(items.map((Item) => doc.send(new PutCommand({ TableName: indexTable, Item }))));
  const params = {
    TableName: indexTable,
    IndexName: 'by_status',
    KeyConditionExpression: '#s = :s',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':s': 'open' },
  };
  const out = await eventually(() => doc.send(new DocQueryCommand(params)), (r) => r.Count === 3);
  assert.deepEqual(out.Items.map((i) => i.pk), ['g-b', 'g-c', 'g-a']);
  assert.deepEqual(out.Items[0], items[1]); // ALL projection: the whole item
  const first = await doc.send(new DocQueryCommand({ ...params, Limit: 1 }));
  assert.deepEqual(first.LastEvaluatedKey, { status: 'open', at: 10, pk: 'g-b', sk: 1 });
  const rest = await doc.send(new DocQueryCommand({ ...params, ExclusiveStartKey: first.LastEvaluatedKey }));
  assert.deepEqual(rest.Items.map((i) => i.pk), ['g-c', 'g-a']);
});

// An LSI orders one partition by another attribute; its LastEvaluatedKey has the table key and
// the index sort key, and paging with it resumes in index order.
test('Query on a local secondary index with LastEvaluatedKey', async () => {
  const ranks = [40, 10, 30, 20, 50];
  for (const [i, rank] of ranks.entries()) {
    await client.send(new PutItemCommand({
      TableName: indexTable,
      Item: { pk: { S: 'lsi-p' }, sk: { N: String(i) }, rank: { N: String(rank) }, extra: { S: `x${i}` } },
    }));
  }
  await client.send(new PutItemCommand({ TableName: indexTable, Item: { pk: { S: 'lsi-p' }, sk: { N: '9' } } })); // no rank
  const params = {
    TableName: indexTable,
    IndexName: 'by_rank',
    KeyConditionExpression: 'pk = :p AND #r >= :min',
    ExpressionAttributeNames: { '#r': 'rank' },
    ExpressionAttributeValues: { ':p': { S: 'lsi-p' }, ':min': { N: '20' } },
    ConsistentRead: true,
  };
  const first = await client.send(new QueryCommand({ ...params, Limit: 2 }));
  assert.deepEqual(first.Items, [
    { pk: { S: 'lsi-p' }, sk: { N: '3' }, rank: { N: '20' } }, // KEYS_ONLY: table and index keys
    { pk: { S: 'lsi-p' }, sk: { N: '2' }, rank: { N: '30' } },
  ]);
  assert.deepEqual(first.LastEvaluatedKey, { pk: { S: 'lsi-p' }, sk: { N: '2' }, rank: { N: '30' } });
  const pages = await collect(paginateQuery({ client, pageSize: 2 }, { ...params }));
  assert.deepEqual(pages.flatMap((p) => p.Items.map((i) => Number(i.rank.N))), [20, 30, 40, 50]);
});

// Reading attributes a KEYS_ONLY LSI does not project fetches each item from the table: every
// fetched item is charged in full, to the table; the index entries' units stay the index's.
test('an LSI read that fetches from the table is charged per fetched item', async () => {
  for (let i = 0; i < 2; i++) {
    await client.send(new PutItemCommand({
      TableName: indexTable,
      Item: { pk: { S: 'lsi-fetch' }, sk: { N: String(i) }, rank: { N: String(i) }, big: { S: 'x'.repeat(7000) } },
    }));
  }
  const params = {
    TableName: indexTable,
    IndexName: 'by_rank',
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': { S: 'lsi-fetch' } },
    ConsistentRead: true,
    ReturnConsumedCapacity: 'INDEXES',
  };
  const fetched = await client.send(new QueryCommand({ ...params, Select: 'ALL_ATTRIBUTES' }));
  assert.equal(fetched.Items.length, 2);
  assert.equal(fetched.Items[0].big.S.length, 7000);
  assert.equal(fetched.ConsumedCapacity.CapacityUnits, 5); // 1 for the entries, 2 per ~7 KB item
  assert.equal(fetched.ConsumedCapacity.Table.CapacityUnits, 4);
  assert.equal(fetched.ConsumedCapacity.LocalSecondaryIndexes.by_rank.CapacityUnits, 1);
  const projected = await client.send(new QueryCommand(params));
  assert.deepEqual(Object.keys(projected.Items[0]).sort(), ['pk', 'rank', 'sk']);
  assert.equal(projected.ConsumedCapacity.CapacityUnits, 1);
  assert.equal(projected.ConsumedCapacity.Table.CapacityUnits, 0);
});

// A parallel Scan: four segments, each paged to the end by its own worker, together return every
// item exactly once.
test('parallel Scan with TotalSegments 4 covers every item once', async () => {
  const segments = await Promise.all([0, 1, 2, 3].map(async (Segment) => {
    const keys = [];
    let ExclusiveStartKey;
    do {
      const out = await doc.send(new DocScanCommand({
        TableName: scanTable, Segment, TotalSegments: 4, Limit: 5, ExclusiveStartKey, ConsistentRead: true,
      }));
      keys.push(...out.Items.map((i) => i.pk));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return keys;
  }));
  const all = segments.flat();
  assert.equal(all.length, SCAN_COUNT);
  assert.equal(new Set(all).size, SCAN_COUNT);
  assert.deepEqual([...all].sort(), Array.from({ length: SCAN_COUNT }, (_, i) => `item-${String(i).padStart(2, '0')}`));
});

// A key condition without the partition key is refused, naming the missing key attribute.
test('a Query without the partition key is a ValidationException', async () => {
  const err = await rejects(() => client.send(new QueryCommand({
    TableName: table,
    KeyConditionExpression: 'sk = :s',
    ExpressionAttributeValues: { ':s': { S: 'profile' } },
  })));
  assert.equal(err.name, 'ValidationException');
  assert.equal(err.message, 'Query condition missed key schema element: pk');
  assert.equal(err.$metadata.httpStatusCode, 400);
});

// GSIs are only eventually consistent, so ConsistentRead true on one is refused, for Query and Scan.
test('ConsistentRead on a GSI is rejected', async () => {
  for (const Command of [QueryCommand, ScanCommand]) {
    const input = { TableName: indexTable, IndexName: 'by_status', ConsistentRead: true };
    if (Command === QueryCommand) {
      input.KeyConditionExpression = '#s = :s';
      input.ExpressionAttributeNames = { '#s': 'status' };
      input.ExpressionAttributeValues = { ':s': { S: 'open' } };
    }
    const err = await rejects(() => client.send(new Command(input)));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, 'Consistent reads are not supported on global secondary indexes');
  }
});
