// Optimistic locking as applications do it (issue 3): the seed scenario of two racing clients,
// ReturnValuesOnConditionCheckFailure on every conditional write, the version-attribute shapes of
// the mappers (@aws/dynamodb-data-mapper, the Java v2 enhanced client) through the DocumentClient,
// and UpdateItem ReturnValues as the DocumentClient hands them back.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createTable, deleteTables, makeClient, normalize, rejects, tableName } from './helpers.mjs';

// Two independent clients: separate connection pools, as two application instances would have.
const client1 = makeClient();
const client2 = makeClient();
const doc = DynamoDBDocumentClient.from(client1);
const doc2 = DynamoDBDocumentClient.from(client2);

const usersTable = tableName('lock-users'); // user_id: S (the seed scenario's table)
const rvTable = tableName('lock-rvoccf'); // pk: S
const docTable = tableName('lock-doc'); // id: S, n: N

before(async () => {
  await Promise.all([
    createTable(client1, usersTable, [['user_id', 'S']]),
    createTable(client1, rvTable, [['pk', 'S']]),
    createTable(client1, docTable, [['id', 'S'], ['n', 'N']]),
  ]);
});

after(async () => {
  await deleteTables(client1, [usersTable, rvTable, docTable]);
  doc.destroy();
  doc2.destroy();
  client1.destroy();
  client2.destroy();
});

const CCF_MESSAGE = 'The conditional request failed';

function versionedUpdate(userId, firstName, expected, extra = {}) {
  return new UpdateItemCommand({
    TableName: usersTable,
    Key: { user_id: { S: userId } },
    UpdateExpression: 'SET first_name = :name, version = version + :one',
    ConditionExpression: 'version = :v',
    ExpressionAttributeValues: {
      ':name': { S: firstName },
      ':one': { N: '1' },
      ':v': { N: String(expected) },
    },
    ...extra,
  });
}

async function getUser(client, userId) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: usersTable,
      Key: { user_id: { S: userId } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

// ---------------------------------------------------------------------------------------------
// (a) The seed scenario, verbatim, repeated on fresh keys.

// Issue 3's promise: of two clients racing on version 1, exactly one wins (version 2), the other
// gets ConditionalCheckFailedException carrying the current item, re-reads and wins 2 -> 3.
test('seed scenario: two clients race on version 1, exactly one wins, the loser retries', async () => {
  const rounds = 30;
  let johnWins = 0;
  for (let i = 0; i < rounds; i++) {
    const userId = i === 0 ? '123' : `123-${i}`;
    await client1.send(
      new PutItemCommand({
        TableName: usersTable,
        Item: { user_id: { S: userId }, first_name: { S: 'Original' }, version: { N: '1' } },
      }),
    );

    const attempts = [
      { client: client1, name: 'John' },
      { client: client2, name: 'Lisa' },
    ];
    const results = await Promise.allSettled(
      attempts.map(({ client, name }) =>
        client.send(
          versionedUpdate(userId, name, 1, {
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ReturnValues: 'ALL_NEW',
          }),
        ),
      ),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r) => r.status === 'rejected');
    assert.equal(winners.length, 1, `round ${i}: exactly one update must win`);
    assert.equal(losers.length, 1, `round ${i}: exactly one update must lose`);

    const winnerIdx = results.findIndex((r) => r.status === 'fulfilled');
    const winner = attempts[winnerIdx];
    const loser = attempts[1 - winnerIdx];
    if (winner.name === 'John') johnWins++;
    const expectedAfterWin = {
      user_id: { S: userId },
      first_name: { S: winner.name },
      version: { N: '2' },
    };
    assert.deepEqual(winners[0].value.Attributes, expectedAfterWin);

    const err = losers[0].reason;
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.message, CCF_MESSAGE);
    assert.equal(err.$metadata.httpStatusCode, 400);
    // The error carries the item as it is now: the winner's write, version 2.
    assert.deepEqual(err.Item, expectedAfterWin);

    // The loser re-reads (strongly consistent) and retries against the version it saw.
    const current = await getUser(loser.client, userId);
    assert.deepEqual(current, expectedAfterWin);
    const retry = await loser.client.send(
      versionedUpdate(userId, loser.name, Number(current.version.N), { ReturnValues: 'ALL_NEW' }),
    );
    const expectedFinal = {
      user_id: { S: userId },
      first_name: { S: loser.name },
      version: { N: '3' },
    };
    assert.deepEqual(retry.Attributes, expectedFinal);
    assert.deepEqual(await getUser(client1, userId), expectedFinal);
  }
  // Not an assertion on who wins (that is up to timing), just a sanity bound on the loop.
  assert.ok(johnWins >= 0 && johnWins <= rounds);
});

// The same race with both clients hitting all keys at once: concurrency across keys must not
// blur the per-item compare-and-swap (still exactly one winner per key, every version 2).
test('seed scenario on 30 keys at once: one winner per key', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `parallel-${i}`);
  await Promise.all(
    ids.map((id) =>
      client1.send(
        new PutItemCommand({
          TableName: usersTable,
          Item: { user_id: { S: id }, first_name: { S: 'Original' }, version: { N: '1' } },
        }),
      ),
    ),
  );
  const perKey = await Promise.all(
    ids.map((id) =>
      Promise.allSettled([
        client1.send(versionedUpdate(id, 'John', 1)),
        client2.send(versionedUpdate(id, 'Lisa', 1)),
      ]),
    ),
  );
  for (const [i, results] of perKey.entries()) {
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(ok, 1, `${ids[i]}: exactly one winner`);
    const lost = results.find((r) => r.status === 'rejected').reason;
    assert.equal(lost.name, 'ConditionalCheckFailedException');
    // Without ReturnValuesOnConditionCheckFailure the error carries no item.
    assert.equal(lost.Item, undefined);
    const item = await getUser(client2, ids[i]);
    assert.equal(item.version.N, '2');
    assert.ok(['John', 'Lisa'].includes(item.first_name.S));
  }
});

// ---------------------------------------------------------------------------------------------
// (b) ReturnValuesOnConditionCheckFailure on PutItem, UpdateItem and DeleteItem.

const stored = (pk) => ({
  pk: { S: pk },
  version: { N: '5' },
  name: { S: 'stored' },
  tags: { SS: ['a', 'b'] },
  blob: { B: new Uint8Array([1, 2, 3]) },
  doc: { M: { nested: { L: [{ N: '1' }, { NULL: true }, { BOOL: true }] } } },
});

async function seed(pk) {
  await client1.send(new PutItemCommand({ TableName: rvTable, Item: stored(pk) }));
}

async function getStored(pk) {
  const { Item } = await client1.send(
    new GetItemCommand({ TableName: rvTable, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item;
}

// The three conditional writes, each built so that its condition fails on a stored item
// (version is 5, the condition wants 4) and on a missing one.
const failingWrites = {
  PutItem: (pk, extra) =>
    new PutItemCommand({
      TableName: rvTable,
      Item: { pk: { S: pk }, version: { N: '5' }, name: { S: 'overwritten' } },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': { N: '4' } },
      ...extra,
    }),
  UpdateItem: (pk, extra) =>
    new UpdateItemCommand({
      TableName: rvTable,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET #n = :name, version = version + :one',
      ConditionExpression: 'version = :expected',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':expected': { N: '4' }, ':one': { N: '1' }, ':name': { S: 'x' } },
      ...extra,
    }),
  DeleteItem: (pk, extra) =>
    new DeleteItemCommand({
      TableName: rvTable,
      Key: { pk: { S: pk } },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': { N: '4' } },
      ...extra,
    }),
};

for (const [op, build] of Object.entries(failingWrites)) {
  // ALL_OLD exists so that a loser needs no extra GetItem: the error must carry the whole item,
  // every type intact, and the failed write must not have touched it.
  test(`${op}: ReturnValuesOnConditionCheckFailure ALL_OLD returns the current item`, async () => {
    const pk = `${op}-all-old`;
    await seed(pk);
    const err = await rejects(() =>
      client1.send(build(pk, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    );
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.message, CCF_MESSAGE);
    assert.deepEqual(normalize(err.Item), normalize(stored(pk)));
    assert.deepEqual(normalize(await getStored(pk)), normalize(stored(pk)));
  });

  // NONE, or no parameter at all, means the error body has no Item (clients test for its presence).
  test(`${op}: ReturnValuesOnConditionCheckFailure NONE or absent returns no item`, async () => {
    const pk = `${op}-none`;
    await seed(pk);
    for (const extra of [{ ReturnValuesOnConditionCheckFailure: 'NONE' }, {}]) {
      const err = await rejects(() => client1.send(build(pk, extra)));
      assert.equal(err.name, 'ConditionalCheckFailedException');
      assert.equal(err.message, CCF_MESSAGE);
      assert.equal(err.Item, undefined);
    }
    assert.deepEqual(normalize(await getStored(pk)), normalize(stored(pk)));
  });

  // A condition that fails because the item is absent has no old item to return, even with ALL_OLD.
  test(`${op}: ALL_OLD on a missing item returns no item`, async () => {
    const pk = `${op}-missing`;
    const err = await rejects(() =>
      client1.send(build(pk, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    );
    assert.equal(err.name, 'ConditionalCheckFailedException');
    assert.equal(err.Item, undefined);
    assert.equal(await getStored(pk), undefined);
  });
}

// ReturnValuesOnConditionCheckFailure only matters on failure: a passing write answers per
// ReturnValues as usual and carries nothing extra.
test('ReturnValuesOnConditionCheckFailure does not change a successful write', async () => {
  const pk = 'rvoccf-success';
  await seed(pk);
  const out = await client1.send(
    new UpdateItemCommand({
      TableName: rvTable,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET version = version + :one',
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': { N: '5' }, ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
  assert.deepEqual(out.Attributes, { version: { N: '6' } });
  assert.equal(out.Item, undefined);
  const del = await client1.send(
    new DeleteItemCommand({
      TableName: rvTable,
      Key: { pk: { S: pk } },
      ConditionExpression: 'attribute_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
  assert.equal(del.Attributes, undefined);
});

// The put-if-absent shape (attribute_not_exists on the key) returns the item that was already there.
test('PutItem attribute_not_exists(pk) with ALL_OLD returns the existing item', async () => {
  const pk = 'rvoccf-put-if-absent';
  await seed(pk);
  const err = await rejects(() =>
    client1.send(
      new PutItemCommand({
        TableName: rvTable,
        Item: { pk: { S: pk }, version: { N: '1' } },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  assert.equal(err.name, 'ConditionalCheckFailedException');
  assert.deepEqual(normalize(err.Item), normalize(stored(pk)));
});

// The parameter is an enum of ALL_OLD and NONE; anything else is a ValidationException, not a
// silently ignored value.
test('ReturnValuesOnConditionCheckFailure rejects values outside ALL_OLD/NONE', async () => {
  const err = await rejects(() =>
    client1.send(failingWrites.UpdateItem('rvoccf-bad-enum', { ReturnValuesOnConditionCheckFailure: 'ALL_NEW' })),
  );
  assert.equal(err.name, 'ValidationException');
  assert.match(err.message, /returnValuesOnConditionCheckFailure/);
});

// ---------------------------------------------------------------------------------------------
// (c) Optimistic locking through the DocumentClient, as the mappers do it.

// @aws/dynamodb-data-mapper and the Java v2 enhanced client: the first write is conditional on
// the version attribute being absent, later ones on it equalling the version last read; a stale
// writer fails and the stored item keeps the newer write.
test('DocumentClient versioned writes: attribute_not_exists(#v) then #v = :expected', async () => {
  for (const versionName of ['version', 'AMZN_MAPPED_version']) {
    const Key = { id: `mapper-${versionName}`, n: 1 };
    const create = () =>
      doc.send(
        new UpdateCommand({
          TableName: docTable,
          Key,
          UpdateExpression: 'SET #v = :first, #d = :data',
          ConditionExpression: 'attribute_not_exists(#v)',
          ExpressionAttributeNames: { '#v': versionName, '#d': 'data' },
          ExpressionAttributeValues: { ':first': 1, ':data': { title: 'v1', tags: new Set(['x']) } },
          ReturnValues: 'ALL_NEW',
        }),
      );
    const created = await create();
    assert.deepEqual(created.Attributes, {
      ...Key,
      [versionName]: 1,
      data: { title: 'v1', tags: new Set(['x']) },
    });

    // A second "first write" of the same record must fail: the version attribute exists now.
    const again = await rejects(create);
    assert.equal(again.name, 'ConditionalCheckFailedException');

    const write = (client, expected, title) =>
      client.send(
        new UpdateCommand({
          TableName: docTable,
          Key,
          UpdateExpression: 'SET #v = :next, #d.title = :title',
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#v': versionName, '#d': 'data' },
          ExpressionAttributeValues: { ':expected': expected, ':next': expected + 1, ':title': title },
          ReturnValues: 'ALL_NEW',
        }),
      );
    const v2 = await write(doc, 1, 'v2');
    assert.equal(v2.Attributes[versionName], 2);
    assert.equal(v2.Attributes.data.title, 'v2');

    // A writer that still holds version 1 is stale.
    const stale = await rejects(() => write(doc2, 1, 'stale'));
    assert.equal(stale.name, 'ConditionalCheckFailedException');
    assert.equal(stale.message, CCF_MESSAGE);

    const { Item } = await doc2.send(new GetCommand({ TableName: docTable, Key, ConsistentRead: true }));
    assert.equal(Item[versionName], 2);
    assert.equal(Item.data.title, 'v2');
    const v3 = await write(doc2, Item[versionName], 'v3');
    assert.equal(v3.Attributes[versionName], 3);
    assert.deepEqual(v3.Attributes.data, { title: 'v3', tags: new Set(['x']) });
  }
});

// The data-mapper's put path: PutCommand with the same two condition shapes; a put-if-absent
// race between many writers has exactly one winner.
test('DocumentClient PutCommand put-if-absent race has exactly one winner', async () => {
  const Key = { id: 'put-if-absent-race', n: 7 };
  const writers = 12;
  const results = await Promise.allSettled(
    Array.from({ length: writers }, (_, i) =>
      (i % 2 ? doc2 : doc).send(
        new PutCommand({
          TableName: docTable,
          Item: { ...Key, version: 1, owner: `writer-${i}` },
          ConditionExpression: 'attribute_not_exists(#v)',
          ExpressionAttributeNames: { '#v': 'version' },
        }),
      ),
    ),
  );
  const won = results.map((r, i) => (r.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
  assert.equal(won.length, 1, 'exactly one put-if-absent wins');
  for (const r of results) {
    if (r.status === 'rejected') assert.equal(r.reason.name, 'ConditionalCheckFailedException');
  }
  const { Item } = await doc.send(new GetCommand({ TableName: docTable, Key, ConsistentRead: true }));
  assert.deepEqual(Item, { ...Key, version: 1, owner: `writer-${won[0]}` });

  // Later puts carry the expected version; the stale one loses.
  const versionedPut = (expected, owner) =>
    doc.send(
      new PutCommand({
        TableName: docTable,
        Item: { ...Key, version: expected + 1, owner },
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':expected': expected },
        ReturnValues: 'ALL_OLD',
      }),
    );
  const replaced = await versionedPut(1, 'second');
  assert.deepEqual(replaced.Attributes, Item);
  const stale = await rejects(() => versionedPut(1, 'stale'));
  assert.equal(stale.name, 'ConditionalCheckFailedException');
});

// Read-modify-write with retry on conflict, many writers on one counter: no increment may be
// lost, so the final counter and version equal the number of successful writes.
test('DocumentClient optimistic increments lose no update', async () => {
  const Key = { id: 'counter', n: 0 };
  await doc.send(new PutCommand({ TableName: docTable, Item: { ...Key, version: 0, count: 0 } }));
  const writers = 8;
  const perWriter = 10;
  let conflicts = 0;
  async function writer(w) {
    const d = w % 2 ? doc2 : doc;
    for (let done = 0; done < perWriter; ) {
      const { Item } = await d.send(new GetCommand({ TableName: docTable, Key, ConsistentRead: true }));
      try {
        await d.send(
          new UpdateCommand({
            TableName: docTable,
            Key,
            UpdateExpression: 'SET #c = :c, #v = :next',
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#c': 'count', '#v': 'version' },
            ExpressionAttributeValues: {
              ':c': Item.count + 1,
              ':expected': Item.version,
              ':next': Item.version + 1,
            },
          }),
        );
        done++;
      } catch (err) {
        if (err.name !== 'ConditionalCheckFailedException') throw err;
        conflicts++;
      }
    }
  }
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const { Item } = await doc.send(new GetCommand({ TableName: docTable, Key, ConsistentRead: true }));
  assert.equal(Item.count, writers * perWriter);
  assert.equal(Item.version, writers * perWriter);
  assert.ok(conflicts >= 0); // conflicts depend on timing; a lost update would show in count
});

// ---------------------------------------------------------------------------------------------
// (d) UpdateItem ReturnValues through the DocumentClient.

// Applications read the new version number straight from UPDATED_NEW / ALL_NEW instead of a
// second GetItem; the values must come back unmarshalled to plain JS (numbers, Sets, maps).
test('UpdateCommand ReturnValues UPDATED_NEW and ALL_NEW', async () => {
  const Key = { id: 'rv', n: 2 };
  await doc.send(
    new PutCommand({
      TableName: docTable,
      Item: {
        ...Key,
        version: 1,
        name: 'before',
        untouched: 'same',
        tags: new Set(['a']),
        profile: { city: 'Paris', zip: '75001' },
        gone: 'remove me',
      },
    }),
  );

  const updatedNew = await doc.send(
    new UpdateCommand({
      TableName: docTable,
      Key,
      UpdateExpression:
        'SET #name = :name, version = version + :one, profile.city = :city REMOVE gone ADD tags :more',
      ConditionExpression: 'version = :expected',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':name': 'after',
        ':one': 1,
        ':city': 'Lyon',
        ':more': new Set(['b']),
        ':expected': 1,
      },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  // Only the updated attributes, nested ones trimmed to the updated path; removed ones absent.
  assert.deepEqual(updatedNew.Attributes, {
    name: 'after',
    version: 2,
    profile: { city: 'Lyon' },
    tags: new Set(['a', 'b']),
  });

  const allNew = await doc.send(
    new UpdateCommand({
      TableName: docTable,
      Key,
      UpdateExpression: 'SET version = version + :one',
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':one': 1, ':expected': 2 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  assert.deepEqual(allNew.Attributes, {
    ...Key,
    version: 3,
    name: 'after',
    untouched: 'same',
    tags: new Set(['a', 'b']),
    profile: { city: 'Lyon', zip: '75001' },
  });

  // UpdateItem on a missing item creates it; ALL_NEW includes the key, UPDATED_NEW does not.
  const created = await doc.send(
    new UpdateCommand({
      TableName: docTable,
      Key: { id: 'rv-new', n: 1 },
      UpdateExpression: 'SET version = :one',
      ConditionExpression: 'attribute_not_exists(version)',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  assert.deepEqual(created.Attributes, { id: 'rv-new', n: 1, version: 1 });
  const createdUpdatedNew = await doc.send(
    new UpdateCommand({
      TableName: docTable,
      Key: { id: 'rv-new-2', n: 1 },
      UpdateExpression: 'SET version = :one',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  assert.deepEqual(createdUpdatedNew.Attributes, { version: 1 });

  // A failed condition returns no Attributes and changes nothing.
  const err = await rejects(() =>
    doc.send(
      new UpdateCommand({
        TableName: docTable,
        Key,
        UpdateExpression: 'SET version = version + :one',
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':one': 1, ':expected': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  assert.equal(err.name, 'ConditionalCheckFailedException');
  const { Item } = await doc.send(new GetCommand({ TableName: docTable, Key, ConsistentRead: true }));
  assert.equal(Item.version, 3);
});
