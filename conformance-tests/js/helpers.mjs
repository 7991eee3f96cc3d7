// Shared set-up for the JavaScript SDK v3 conformance tests: one client configuration, unique
// table names per run, and create/delete helpers that also work against Amazon DynamoDB (where
// CreateTable returns CREATING and the table becomes ACTIVE later).
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

// DDBD_ENDPOINT=aws runs the suite against the real service with the default credential chain.
const rawEndpoint = process.env.DDBD_ENDPOINT || 'http://127.0.0.1:8000';
export const AGAINST_AWS = rawEndpoint === 'aws';

export function makeClient() {
  if (AGAINST_AWS) {
    return new DynamoDBClient({ region: process.env.AWS_REGION || 'us-east-1', maxAttempts: 1 });
  }
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: rawEndpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1, // a bug must not hide behind a retry
  });
}

// Unique per process; only names use it, never assertions.
const RUN_ID = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function tableName(label) {
  return `ddbd-js-${label}-${RUN_ID}`;
}

// Creates an on-demand table and waits until it is ACTIVE. keySchema: [['pk', 'S'], ['sk', 'N']].
export async function createTable(client, name, keySchema, extra = {}) {
  const params = {
    TableName: name,
    KeySchema: keySchema.map(([AttributeName], i) => ({
      AttributeName,
      KeyType: i === 0 ? 'HASH' : 'RANGE',
    })),
    AttributeDefinitions: keySchema.map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...extra,
  };
  if (!params.ProvisionedThroughput && !params.BillingMode) params.BillingMode = 'PAY_PER_REQUEST';
  const out = await client.send(new CreateTableCommand(params));
  await waitForActive(client, name);
  return out;
}

export async function waitForActive(client, name) {
  await waitUntilTableExists(
    { client, maxWaitTime: 180, minDelay: 1, maxDelay: 5 },
    { TableName: name },
  );
}

// Best-effort cleanup for `after` hooks: a table that is already gone is not an error.
export async function deleteTables(client, names) {
  await Promise.all(
    names.map(async (name) => {
      try {
        await client.send(new DeleteTableCommand({ TableName: name }));
      } catch (err) {
        if (err.name !== 'ResourceNotFoundException' && err.name !== 'ResourceInUseException') {
          throw err;
        }
      }
    }),
  );
}

// Runs fn, which must fail; returns the error so the caller can assert on it.
export async function rejects(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

// Makes attribute values comparable with deepStrictEqual: set members sorted (DynamoDB promises
// no order for SS/NS/BS) and every binary turned into a plain array of byte values (the SDK may
// hand back a Buffer or a Uint8Array). Recurses through M and L.
export function normalize(av) {
  if (av instanceof Uint8Array) return Array.from(av);
  if (av === null || typeof av !== 'object') return av;
  if (Array.isArray(av)) return av.map(normalize);
  const out = {};
  for (const [k, v] of Object.entries(av)) {
    if ((k === 'SS' || k === 'NS') && Array.isArray(v)) {
      out[k] = [...v].sort();
    } else if (k === 'BS' && Array.isArray(v)) {
      out[k] = v.map((b) => Array.from(b)).sort(compareBytes);
    } else {
      out[k] = normalize(v);
    }
  }
  return out;
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
