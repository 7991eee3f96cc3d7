// ReturnConsumedCapacity TOTAL on single-item operations. Capacity units follow the documented
// rules: a write costs 1 WCU per started KB of the larger of the old and new item; a strongly
// consistent read 1 RCU per started 4 KB, an eventually consistent read half of that. Item sizes
// here stay far from the unit boundaries so the exact size formula cannot matter.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTable, deleteTables, makeClient, sleep, tableName } from './helpers.mjs';

const client = makeClient();
const table = tableName('capacity');

before(async () => {
  await createTable(client, table, [['pk', 'S']]);
  // Shared read fixtures.
  await client.send(new PutItemCommand({ TableName: table, Item: small('read-small') }));
  await client.send(new PutItemCommand({ TableName: table, Item: sized('read-10k', 10000) }));
});

after(async () => {
  await deleteTables(client, [table]);
  client.destroy();
});

const TOTAL = { ReturnConsumedCapacity: 'TOTAL' };
const small = (pk) => ({ pk: { S: pk }, v: { N: '1' } }); // ~20 bytes
const sized = (pk, bytes) => ({ pk: { S: pk }, d: { S: 'x'.repeat(bytes) } });

async function putCost(Item) {
  const out = await client.send(new PutItemCommand({ TableName: table, Item, ...TOTAL }));
  assert.equal(out.ConsumedCapacity.TableName, table);
  return out.ConsumedCapacity.CapacityUnits;
}

// Eventually consistent reads may briefly miss a fresh write on the real service; retry until the
// item is visible so the cost measured is that of reading it.
async function getCost(pk, consistent) {
  for (let attempt = 0; ; attempt++) {
    const out = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: consistent, ...TOTAL }),
    );
    assert.equal(out.ConsumedCapacity.TableName, table);
    if (out.Item || consistent || attempt >= 20) return out.ConsumedCapacity.CapacityUnits;
    await sleep(250);
  }
}

// A small put is the minimum: 1 WCU, reported with the table name.
test('PutItem of a small item consumes 1 WCU', async () => {
  assert.equal(await putCost(small('w-small')), 1);
});

// Writes are charged per started KB: ~1.5 KB costs 2 and ~10 KB costs 10.
test('PutItem is charged per started KB', async () => {
  assert.equal(await putCost(sized('w-1500', 1500)), 2);
  assert.equal(await putCost(sized('w-10k', 10000)), 10);
});

// Replacing an item is charged for the larger of the old and the new item.
test('PutItem replacing a bigger item is charged for the bigger one', async () => {
  await client.send(new PutItemCommand({ TableName: table, Item: sized('w-replace', 10000) }));
  assert.equal(await putCost(small('w-replace')), 10);
});

// Without ReturnConsumedCapacity (or with NONE) the response carries no ConsumedCapacity.
test('no ConsumedCapacity unless asked', async () => {
  const out = await client.send(new PutItemCommand({ TableName: table, Item: small('w-none') }));
  assert.equal(out.ConsumedCapacity, undefined);
  const out2 = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: 'w-none' } },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'NONE',
    }),
  );
  assert.equal(out2.ConsumedCapacity, undefined);
});

// Reads: 1 RCU per started 4 KB strongly consistent, half that eventually consistent.
test('GetItem of a small item: 1 RCU consistent, 0.5 eventually consistent', async () => {
  assert.equal(await getCost('read-small', true), 1);
  assert.equal(await getCost('read-small', false), 0.5);
});

test('GetItem of a ~10 KB item: 3 RCU consistent, 1.5 eventually consistent', async () => {
  assert.equal(await getCost('read-10k', true), 3);
  assert.equal(await getCost('read-10k', false), 1.5);
});

// Reading a key that holds no item still costs the minimum read.
test('GetItem of an absent item still consumes the minimum', async () => {
  assert.equal(await getCost('read-absent', true), 1);
});

// DeleteItem is charged for the size of the deleted item, and at least 1 WCU when there is none.
test('DeleteItem is charged for the deleted item size', async () => {
  await client.send(new PutItemCommand({ TableName: table, Item: sized('d-10k', 10000) }));
  const out = await client.send(
    new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'd-10k' } }, ...TOTAL }),
  );
  assert.equal(out.ConsumedCapacity.TableName, table);
  assert.equal(out.ConsumedCapacity.CapacityUnits, 10);
  const none = await client.send(
    new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'd-absent' } }, ...TOTAL }),
  );
  assert.equal(none.ConsumedCapacity.CapacityUnits, 1);
});
