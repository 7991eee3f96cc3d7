// Single-item operations through the low-level DynamoDB client: PutItem, GetItem and DeleteItem
// with every attribute type, number canonicalisation, ReturnValues, ProjectionExpression, and the
// errors for unknown tables and wrongly typed keys.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTable, deleteTables, makeClient, normalize, rejects, tableName } from './helpers.mjs';

const client = makeClient();
const table = tableName('items'); // pk: S
const numTable = tableName('items-num'); // pk: S, sk: N
const missing = tableName('no-such-table');

before(async () => {
  await Promise.all([
    createTable(client, table, [['pk', 'S']]),
    createTable(client, numTable, [['pk', 'S'], ['sk', 'N']]),
  ]);
});

after(async () => {
  await deleteTables(client, [table, numTable]);
  client.destroy();
});

const put = (Item, extra = {}) => client.send(new PutItemCommand({ TableName: table, Item, ...extra }));
const get = (Key, extra = {}) =>
  client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true, ...extra }));
const del = (Key, extra = {}) => client.send(new DeleteItemCommand({ TableName: table, Key, ...extra }));

// Every AttributeValue type must survive a put/get round trip unchanged, including empty strings
// and empty binaries outside keys, empty maps and lists, and arbitrarily nested documents.
test('PutItem/GetItem round-trips every attribute type', async () => {
  const item = {
    pk: { S: 'all-types' },
    s: { S: 'héllo wörld ✓ 𝄞' },
    emptyS: { S: '' },
    n: { N: '-12.5' },
    b: { B: new Uint8Array([0, 1, 2, 127, 128, 254, 255]) },
    emptyB: { B: new Uint8Array([]) },
    ss: { SS: ['b', 'a', 'c'] },
    ns: { NS: ['3', '-1', '2.5'] },
    bs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3]), new Uint8Array([0xff])] },
    m: {
      M: {
        inner: { S: 'x' },
        deeper: { M: { n: { N: '1' }, ss: { SS: ['z'] } } },
        emptyM: { M: {} },
        emptyL: { L: [] },
      },
    },
    l: {
      L: [
        { S: 'x' },
        { N: '2' },
        { NULL: true },
        { BOOL: false },
        { L: [{ BOOL: true }] },
        { M: { k: { S: 'v' } } },
        { B: new Uint8Array([9]) },
      ],
    },
    nul: { NULL: true },
    t: { BOOL: true },
    f: { BOOL: false },
  };
  const putOut = await put(item);
  assert.equal(putOut.Attributes, undefined); // ReturnValues defaults to NONE
  const { Item } = await get({ pk: { S: 'all-types' } });
  assert.deepEqual(normalize(Item), normalize(item));
  assert.ok(Item.b.B instanceof Uint8Array);
});

// Numbers come back in DynamoDB's canonical text: no leading zeros, no trailing fractional zeros,
// no "+" sign, no negative zero, and plain positional notation (never an exponent), in scalars,
// sets and nested values alike.
test('numbers are returned canonicalised', async () => {
  const cases = [
    ['00042', '42'],
    ['1.50', '1.5'],
    ['-0', '0'],
    ['0.000', '0'],
    ['.125', '0.125'],
    ['-007.0100', '-7.01'],
    ['1e+5', '100000'],
    ['-17E5', '-1700000'],
    // boto/boto3#2500 and #4636: the service answers big exponents with every digit spelled out.
    ['1e100', `1${'0'.repeat(100)}`],
    ['1.00000000000000007629769841092E+50', '100000000000000007629769841092000000000000000000000'],
    // aws/aws-sdk-js-v3#1983: "1e-7" written by the JS marshaller came back as "0.0000001".
    ['1E-7', '0.0000001'],
    ['1e-130', `0.${'0'.repeat(129)}1`],
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'],
  ];
  const item = { pk: { S: 'numbers' } };
  cases.forEach(([input], i) => {
    item[`n${i}`] = { N: input };
  });
  item.ns = { NS: ['010', '2.50', '-0.5'] };
  item.nested = { M: { l: { L: [{ N: '0007' }, { M: { x: { N: '3.000' } } }] } } };
  await put(item);
  const { Item } = await get({ pk: { S: 'numbers' } });
  cases.forEach(([input, expected], i) => {
    assert.equal(Item[`n${i}`].N, expected, `input ${input}`);
  });
  assert.deepEqual([...Item.ns.NS].sort(), ['-0.5', '10', '2.5']);
  assert.deepEqual(Item.nested, { M: { l: { L: [{ N: '7' }, { M: { x: { N: '3' } } }] } } });
});

// A leading "+" is valid number syntax for DynamoDB (ScyllaDB's Alternator suite, which is run
// against AWS, sends "+3"); it is dropped in the stored value. dynalite wrongly rejects it.
test('a number with a leading plus sign is accepted and canonicalised', async () => {
  await put({ pk: { S: 'plus' }, v: { N: '+3' }, w: { N: '+0.50' } });
  const { Item } = await get({ pk: { S: 'plus' } });
  assert.equal(Item.v.N, '3');
  assert.equal(Item.w.N, '0.5');
});

// A numeric key is compared as a number, not as text: "007" and "7.0" address the same item, and
// the stored key comes back canonical.
test('numeric keys match by value and come back canonical', async () => {
  await client.send(
    new PutItemCommand({
      TableName: numTable,
      Item: { pk: { S: 'k' }, sk: { N: '007' }, v: { S: 'first' } },
    }),
  );
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: numTable,
      Key: { pk: { S: 'k' }, sk: { N: '7.0' } },
      ConsistentRead: true,
    }),
  );
  assert.deepEqual(Item, { pk: { S: 'k' }, sk: { N: '7' }, v: { S: 'first' } });
});

// GetItem for a key that holds no item succeeds with no Item member at all (not an empty map).
test('GetItem of an absent item returns no Item', async () => {
  const out = await get({ pk: { S: 'never-written' } });
  assert.equal(out.Item, undefined);
  assert.equal(out.$metadata.httpStatusCode, 200);
});

// PutItem with ReturnValues ALL_OLD returns the replaced item, and nothing when it created one.
test('PutItem ReturnValues ALL_OLD returns the replaced item', async () => {
  const key = { pk: { S: 'put-all-old' } };
  const first = await put({ ...key, v: { N: '1' }, tag: { S: 'one' } }, { ReturnValues: 'ALL_OLD' });
  assert.equal(first.Attributes, undefined);
  const second = await put({ ...key, v: { N: '2' } }, { ReturnValues: 'ALL_OLD' });
  assert.deepEqual(second.Attributes, { ...key, v: { N: '1' }, tag: { S: 'one' } });
  const { Item } = await get(key);
  assert.deepEqual(Item, { ...key, v: { N: '2' } }); // a put replaces the whole item
});

// DeleteItem with ReturnValues ALL_OLD returns the deleted item; deleting an absent item is not
// an error and returns no Attributes.
test('DeleteItem ReturnValues ALL_OLD returns the deleted item', async () => {
  const key = { pk: { S: 'del-all-old' } };
  await put({ ...key, v: { SS: ['x', 'y'] } });
  const out = await del(key, { ReturnValues: 'ALL_OLD' });
  assert.deepEqual(normalize(out.Attributes), normalize({ ...key, v: { SS: ['x', 'y'] } }));
  assert.equal((await get(key)).Item, undefined);
  const again = await del(key, { ReturnValues: 'ALL_OLD' });
  assert.equal(again.Attributes, undefined);
  const plain = await del(key);
  assert.equal(plain.Attributes, undefined);
});

// ProjectionExpression with ExpressionAttributeNames (for a reserved word and a name containing
// a dot) and nested paths: only the requested parts come back, list elements compacted, paths to
// nothing skipped, and the key is not added unless projected.
test('GetItem ProjectionExpression with names and nested paths', async () => {
  const key = { pk: { S: 'projection' } };
  await put({
    ...key,
    name: { S: 'widget' },
    info: {
      M: {
        tags: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] },
        rating: { N: '5' },
        'dotted.key': { S: 'd' },
        hidden: { S: 'h' },
      },
    },
    other: { S: 'not projected' },
  });
  const { Item } = await get(key, {
    ProjectionExpression: '#n, #i.#t[1], #i.#r, #i.#dk, #nx.#d',
    ExpressionAttributeNames: {
      '#n': 'name', // a reserved word: usable only through a placeholder
      '#i': 'info',
      '#t': 'tags',
      '#r': 'rating',
      '#dk': 'dotted.key', // one attribute whose name contains a dot
      '#nx': 'absent', // a path to nothing is silently skipped
      '#d': 'deeper',
    },
  });
  assert.deepEqual(Item, {
    name: { S: 'widget' },
    info: { M: { tags: { L: [{ S: 'b' }] }, rating: { N: '5' }, 'dotted.key': { S: 'd' } } },
  });
});

// An ExpressionAttributeNames entry the expression never uses is rejected, naming the key.
test('unused ExpressionAttributeNames is a ValidationException', async () => {
  const err = await rejects(() =>
    get(
      { pk: { S: 'projection' } },
      { ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': 'name', '#unused': 'x' } },
    ),
  );
  assert.equal(err.name, 'ValidationException');
  assert.equal(err.message, 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}');
});

// Item operations on a table that does not exist fail with the real service's wording, which
// differs from DynamoDB Local's "Cannot do operations on a non-existent table".
test('item operations on an unknown table are ResourceNotFoundException', async () => {
  const calls = [
    () => client.send(new GetItemCommand({ TableName: missing, Key: { pk: { S: 'x' } } })),
    () => client.send(new PutItemCommand({ TableName: missing, Item: { pk: { S: 'x' } } })),
    () => client.send(new DeleteItemCommand({ TableName: missing, Key: { pk: { S: 'x' } } })),
  ];
  for (const call of calls) {
    const err = await rejects(call);
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.message, 'Requested resource not found');
    assert.equal(err.$metadata.httpStatusCode, 400);
  }
});

// A key attribute of the wrong type is a ValidationException: PutItem names the key and both
// types; GetItem and DeleteItem say the key does not match the schema.
test('key type mismatch is a ValidationException', async () => {
  const putErr = await rejects(() => put({ pk: { N: '1' }, v: { S: 'x' } }));
  assert.equal(putErr.name, 'ValidationException');
  assert.equal(
    putErr.message,
    'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
  );
  const getErr = await rejects(() => get({ pk: { N: '1' } }));
  assert.equal(getErr.name, 'ValidationException');
  assert.equal(getErr.message, 'The provided key element does not match the schema');
  const delErr = await rejects(() => del({ pk: { B: new Uint8Array([1]) } }));
  assert.equal(delErr.name, 'ValidationException');
  assert.equal(delErr.message, 'The provided key element does not match the schema');
});

// A Key with an attribute that is not part of the key schema, or missing the key attribute, is
// rejected the same way; PutItem without the key names the missing attribute.
test('wrong key shape is a ValidationException', async () => {
  const extra = await rejects(() => get({ pk: { S: 'x' }, other: { S: 'y' } }));
  assert.equal(extra.name, 'ValidationException');
  assert.equal(extra.message, 'The provided key element does not match the schema');
  const none = await rejects(() => get({ other: { S: 'y' } }));
  assert.equal(none.name, 'ValidationException');
  assert.equal(none.message, 'The provided key element does not match the schema');
  const noKey = await rejects(() => put({ v: { S: 'x' } }));
  assert.equal(noKey.name, 'ValidationException');
  assert.equal(noKey.message, 'One or more parameter values were invalid: Missing the key pk in the item');
});
