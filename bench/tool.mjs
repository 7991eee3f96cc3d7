// Helper for bench/run.sh: raw-HTTP DynamoDB calls (no SDK, fake SigV4 header: neither ddbd nor
// dynalite verifies signatures), table set-up and preloading, startup-time measurement and the
// markdown report. Node built-ins only.
//
//   node tool.mjs free-port
//   node tool.mjs wait <endpoint> [timeoutMs]
//   node tool.mjs setup <endpoint> <table> <getItems> <hotKeys>
//   node tool.mjs setup-indexes <endpoint> <queryTable> <partitions> <perPartition> <gsiTable>
//   node tool.mjs load <endpoint> <table> <count> <prefix> <concurrency>
//   node tool.mjs startup <runs> <cmd> [args...]      ({PORT} in args is replaced by a free port)
//   node tool.mjs hot-sum <endpoint> <table> <hotKeys>
//   node tool.mjs spawn-baseline [runs]
//   node tool.mjs report <results.tsv> <meta.json>
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import { spawn } from 'node:child_process';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function amzDate() {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

// One DynamoDB call. Resolves {status, body}; rejects only on socket errors.
export function call(endpoint, op, payload, { timeoutMs = 10000, keepAlive = true } = {}) {
  const url = new URL(endpoint);
  const body = Buffer.from(JSON.stringify(payload));
  const date = amzDate();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        agent: keepAlive ? agent : false,
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'Content-Length': body.length,
          'X-Amz-Target': `DynamoDB_20120810.${op}`,
          'X-Amz-Date': date,
          Authorization:
            `AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, ` +
            `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function must(endpoint, op, payload) {
  const { status, body } = await call(endpoint, op, payload);
  if (status !== 200) throw new Error(`${op} -> ${status} ${body}`);
  return JSON.parse(body);
}

// The same ~200-byte item shape the wrk scripts write (DynamoDB size: names + values).
export const PAYLOAD = 'x'.repeat(150);
function item(pk, version) {
  return {
    pk: { S: pk },
    version: { N: String(version) },
    name: { S: 'bench item' },
    payload: { S: PAYLOAD },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(endpoint, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { status } = await call(endpoint, 'ListTables', {}, { timeoutMs: 1000, keepAlive: false });
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${endpoint} not ready after ${timeoutMs} ms`);
    await sleep(1);
  }
}

async function createTable(endpoint, table, extra = {}) {
  await must(endpoint, 'CreateTable', {
    TableName: table,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...extra,
  });
  // ACTIVE table and ACTIVE indexes (dynalite creates both after --createTableMs).
  for (let i = 0; i < 3000; i++) {
    const d = await must(endpoint, 'DescribeTable', { TableName: table });
    const indexes = d.Table.GlobalSecondaryIndexes || [];
    if (d.Table.TableStatus === 'ACTIVE' && indexes.every((x) => x.IndexStatus === 'ACTIVE')) return;
    await sleep(10);
  }
  throw new Error(`table ${table} never became ACTIVE`);
}

// Two GSIs, hash key only, on the string attributes g1 and g2; projection ALL (an index Query
// returns the same items a table Query does, and every write copies the whole item into both
// indexes: the dearer of the projections to maintain).
export const GSI_PROJECTION = 'ALL';
function twoGsis(baseAttrs) {
  const gsi = (attr) => ({
    IndexName: `${attr}-index`,
    KeySchema: [{ AttributeName: attr, KeyType: 'HASH' }],
    Projection: { ProjectionType: GSI_PROJECTION },
  });
  return {
    AttributeDefinitions: [...baseAttrs, { AttributeName: 'g1', AttributeType: 'S' }, { AttributeName: 'g2', AttributeType: 'S' }],
    GlobalSecondaryIndexes: [gsi('g1'), gsi('g2')],
  };
}

// The Query/Scan table (issue 8): pk S + sk N, <partitions> partitions q-0.. of <perPartition>
// items (sk 0..perPartition-1), ~200 bytes each. g1 = "g1-<sk>" and g2 = "g2-<(p + sk) mod
// perPartition>": each GSI has <perPartition> partitions of <partitions> items, grouped
// differently from the table and from each other. The same table serves the Scan.
function queryItem(p, s, perPartition) {
  return {
    pk: { S: `q-${p}` },
    sk: { N: String(s) },
    g1: { S: `g1-${s}` },
    g2: { S: `g2-${(p + s) % perPartition}` },
    name: { S: 'bench item' },
    payload: { S: PAYLOAD },
  };
}

async function setupIndexes(endpoint, queryTable, partitions, perPartition, gsiTable) {
  await createTable(endpoint, queryTable, {
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    ...twoGsis([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ]),
  });
  // The table for PutItem with index maintenance: bench's key schema plus the two GSIs.
  await createTable(endpoint, gsiTable, twoGsis([{ AttributeName: 'pk', AttributeType: 'S' }]));
  const count = partitions * perPartition;
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      const Item = queryItem(Math.floor(i / perPartition), i % perPartition, perPartition);
      await must(endpoint, 'PutItem', { TableName: queryTable, Item });
    }
  }
  await Promise.all(Array.from({ length: Math.min(32, count) }, worker));
  // Check what the wrk scripts rely on: a full partition, a full index partition, all items.
  const q = await must(endpoint, 'Query', {
    TableName: queryTable,
    KeyConditionExpression: '#k = :k',
    ExpressionAttributeNames: { '#k': 'pk' },
    ExpressionAttributeValues: { ':k': { S: 'q-0' } },
  });
  if (q.Count !== perPartition) throw new Error(`Query of q-0 returned ${q.Count} items, not ${perPartition}`);
  for (const idx of ['g1', 'g2']) {
    const g = await must(endpoint, 'Query', {
      TableName: queryTable,
      IndexName: `${idx}-index`,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': idx },
      ExpressionAttributeValues: { ':k': { S: `${idx}-1` } },
    });
    if (g.Count !== partitions) throw new Error(`Query of ${idx}-index returned ${g.Count} items, not ${partitions}`);
  }
  let scanned = 0;
  let start;
  do {
    const page = await must(endpoint, 'Scan', { TableName: queryTable, Limit: 1000, ExclusiveStartKey: start });
    scanned += page.Count;
    start = page.LastEvaluatedKey;
  } while (start);
  if (scanned !== count) throw new Error(`Scan returned ${scanned} items, not ${count}`);
}

async function load(endpoint, table, count, makeKey, concurrency, version = 0) {
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      await must(endpoint, 'PutItem', { TableName: table, Item: item(makeKey(i), version) });
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

// Spawn -> first successful ListTables, measured here so the bash side adds no noise. The
// child is stopped (SIGTERM, then SIGKILL) before the next run.
async function startup(runs, cmd, args) {
  const times = [];
  const children = new Set();
  const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  for (let r = 0; r < runs; r++) {
    const port = await freePort();
    const argv = args.map((a) => a.replaceAll('{PORT}', String(port)));
    const endpoint = `http://127.0.0.1:${port}`;
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: 'ignore' });
    children.add(child);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let died = false;
    exited.then(() => (died = true));
    const deadline = Date.now() + 20000;
    for (;;) {
      try {
        const { status } = await call(endpoint, 'ListTables', {}, { timeoutMs: 2000, keepAlive: false });
        if (status === 200) break;
      } catch {
        // not listening yet
      }
      if (died) throw new Error(`${cmd} exited before answering`);
      if (Date.now() > deadline) throw new Error(`${cmd} did not answer within 20 s`);
      await new Promise((r) => setImmediate(r));
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    children.delete(child);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  return { runs, median_ms: median, min_ms: times[0], max_ms: times[times.length - 1] };
}

// ------------------------------------------------------------------------------------------
// Report: results.tsv has one wrk result per line: target, workload, then key=value pairs
// printed by the Lua done() hook.

// With BENCH_REPEAT=N a target and workload have N lines, one per pass, in pass order: the row
// kept is the run with the median req/s (the lower of the two middle ones for even N), with
// every run's req/s in rpsRuns (pass order, so the k-th runs of two rows are from one pass).
function parseResults(file) {
  const groups = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [target, workload, ...kv] = line.split('\t');
    const r = { target, workload };
    for (const pair of kv.join(' ').split(/\s+/)) {
      const [k, v] = pair.split('=');
      if (k) r[k] = Number(v);
    }
    const key = `${target}\t${workload}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const rows = [];
  for (const runs of groups.values()) {
    const sorted = [...runs].sort((a, b) => (a.rps || 0) - (b.rps || 0));
    const r = { ...sorted[Math.floor((sorted.length - 1) / 2)] };
    r.rpsRuns = runs.map((x) => x.rps);
    rows.push(r);
  }
  return rows;
}

// The median of a list of numbers (the mean of the two middle ones for an even count).
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (us) => (Number.isFinite(us) ? (us / 1000).toFixed(2) : 'n/a');

// meta.tsv: "key<TAB>value" lines from run.sh; dotted keys nest, JSON values are parsed, numeric
// strings become numbers.
function readMeta(file) {
  const meta = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const path = line.slice(0, tab).split('.');
    let value = line.slice(tab + 1);
    if (value.startsWith('{')) value = JSON.parse(value);
    else if (value !== '' && Number.isFinite(Number(value))) value = Number(value);
    let o = meta;
    for (const k of path.slice(0, -1)) o = o[k] ??= {};
    o[path[path.length - 1]] = value;
  }
  return meta;
}

function report(resultsFile, metaFile) {
  const meta = readMeta(metaFile);
  const rows = parseResults(resultsFile);
  const workloads = [
    ['put', 'PutItem, distinct keys'],
    ['get', 'GetItem, preloaded keys'],
    ['update', 'UpdateItem + version condition, distinct keys'],
    ['contended', `UpdateItem + version condition, ${meta.hotKeys} hot keys`],
    ['put-gsi', `PutItem, distinct keys, table with 2 GSIs (projection ${GSI_PROJECTION})`],
    ['query', `Query, one ${meta.queryItems}-item partition`],
    ['gsi-query', `Query on a GSI, one ${meta.queryPartitions}-item index partition`],
    ['scan', `Scan of ${fmtInt(meta.queryPartitions * meta.queryItems)} items, Limit ${meta.scanLimit} (req/s = pages/s)`],
    ['batch-write', 'BatchWriteItem, 25 PutRequests, distinct keys'],
    ['batch-get', 'BatchGetItem, 100 preloaded keys'],
    ['transact-write', 'TransactWriteItems, 2 Puts + Update + ConditionCheck, distinct keys'],
  ];
  const reads = new Set(['query', 'gsi-query', 'scan']);
  const batches = new Set(['batch-write', 'batch-get']);
  const unsupported = { 'transact-write': 'not supported (dynalite has no transactions)' };
  const out = [];
  out.push(`# ddbd benchmark — ${meta.date}`);
  out.push('');
  out.push(`Command: \`${meta.command}\``);
  out.push('');
  out.push(
    `Machine: ${meta.cpus} CPU(s) (${meta.cpuModel}), ${meta.memory}. **wrk and the server share these cores** ` +
      '(loopback, keep-alive), so absolute numbers are lower than on separate machines; the ratio to ' +
      'the nginx ceiling measured in the same run is the comparable figure. ' +
      `Load average at the start: ${meta.loadavg}.`,
  );
  out.push('');
  out.push(
    `Load: wrk ${meta.wrkThreads} threads, ${meta.connections} connections, ${meta.seconds} s per run ` +
      `(after a ${meta.warmup} s warm-up of the same workload)` +
      (meta.passes > 1 ? `; ${meta.passes} passes of the whole series, each row the median run` : '') +
      `. Servers: ddbd ${meta.ddbdVersion} ` +
      `(${meta.ddbdArgs}), dynalite ${meta.dynaliteVersion} (in memory, node ${meta.nodeVersion}), ` +
      `nginx ${meta.nginxVersion} (worker_processes ${meta.nginxWorkers}, \`return 200 '{}'\`).`,
  );
  out.push('');
  out.push('| workload | server | req/s | p50 ms | p99 ms | vs nginx | responses |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const [w, label] of workloads) {
    const ceiling = rows.find((r) => r.target === 'nginx' && r.workload === w);
    for (const target of ['ddbd', 'dynalite', 'nginx']) {
      const r = rows.find((x) => x.target === target && x.workload === w);
      if (!r) continue;
      if (r.unsupported) {
        out.push(`| ${label} | ${target} | n/a | n/a | n/a | n/a | ${unsupported[w] || 'not supported'} |`);
        continue;
      }
      const ratio = ceiling && ceiling.rps ? `${((100 * r.rps) / ceiling.rps).toFixed(0)} %` : 'n/a';
      const parts = [];
      if (w === 'contended' && target !== 'nginx') {
        const wins = r.ok - (r.reads || 0);
        parts.push(`wins ${fmtInt(wins)}`, `conflicts ${fmtInt(r.ccf)}`);
        if (r.reads) parts.push(`re-reads ${fmtInt(r.reads)}`);
        if (Number.isFinite(r.versions)) {
          // wrk stops counting with requests still in flight, so versions may exceed the
          // counted wins by at most the number of connections; less would be a lost update.
          const extra = r.versions - wins;
          if (extra < 0 || extra > meta.connections) parts.push(`**versions +${fmtInt(r.versions)} ≠ wins: lost updates?**`);
          else parts.push(`versions +${fmtInt(r.versions)} (= wins${extra ? ` + ${extra} in flight` : ''})`);
        }
      } else {
        parts.push(`200: ${fmtInt(r.ok)}`);
        if (r.ccf) parts.push(`conflicts ${fmtInt(r.ccf)}`);
      }
      if ((reads.has(w) || batches.has(w)) && target !== 'nginx') parts.push(`items/s ${fmtInt(r.items / (r.duration_us / 1e6))}`);
      if (w === 'get' && target !== 'nginx' && r.miss) parts.push(`**misses ${fmtInt(r.miss)}**`);
      if (reads.has(w) && target !== 'nginx' && r.miss) parts.push(`**unexpected Count ${fmtInt(r.miss)}**`);
      if (w === 'batch-write' && target !== 'nginx' && r.miss) parts.push(`**UnprocessedItems not {} ${fmtInt(r.miss)}**`);
      if (w === 'batch-get' && target !== 'nginx' && r.miss) parts.push(`**not 100 items ${fmtInt(r.miss)}**`);
      if (r.bad) parts.push(`**other 4xx ${fmtInt(r.bad)}**`);
      if (r.s5xx) parts.push(`**5xx ${fmtInt(r.s5xx)}**`);
      const sockErr = (r.err_connect || 0) + (r.err_read || 0) + (r.err_write || 0);
      if (sockErr) parts.push(`**socket errors ${fmtInt(sockErr)}**`);
      // wrk's timeout count: answers slower than --timeout (5 s), which its latency histogram
      // leaves out (so p99 understates them), plus, every 2 s, requests still waiting that long.
      // The connection is not closed; the late answer still counts as a response.
      if (r.err_timeout) parts.push(`**wrk timeouts (> 5 s, not in the latencies) ${fmtInt(r.err_timeout)}**`);
      if (r.rpsRuns.length > 1) parts.push(`req/s of the ${r.rpsRuns.length} passes: ${r.rpsRuns.map(fmtInt).join(' / ')}`);
      out.push(
        `| ${label} | ${target} | ${fmtInt(r.rps)} | ${fmtMs(r.p50_us)} | ${fmtMs(r.p99_us)} | ${ratio} | ${parts.join(', ')} |`,
      );
    }
  }
  out.push('');
  // Issue 8's goals: Query >= 20x dynalite; PutItem with two GSIs >= 70 % of PutItem without.
  // A ratio of two rows is taken pass by pass (the two runs are seconds apart) and, over several
  // passes, reported as the median of the passes' ratios, each pass's listed after it.
  const rps = (t, w) => rows.find((x) => x.target === t && x.workload === w)?.rps;
  const runsOf = (t, w) => rows.find((x) => x.target === t && x.workload === w && !x.unsupported)?.rpsRuns;
  const paired = (ta, wa, tb, wb, scale, digits, unit) => {
    const a = runsOf(ta, wa);
    const b = runsOf(tb, wb);
    if (!a || !b || a.length !== b.length || a.some((x) => !x) || b.some((x) => !x)) return undefined;
    const each = a.map((x, i) => (scale * x) / b[i]);
    const text = `${median(each).toFixed(digits)}${unit}`;
    return each.length > 1 ? `${text} (median of ${each.length} passes: ${each.map((x) => x.toFixed(digits)).join(', ')})` : text;
  };
  const ratios = [];
  for (const [w, label] of [['query', 'Query'], ['gsi-query', 'GSI Query'], ['scan', 'Scan pages']]) {
    const r = paired('ddbd', w, 'dynalite', w, 1, 1, '×');
    if (r) ratios.push(`${label} ddbd/dynalite ${r}${w === 'query' ? ' (goal ≥ 20×)' : ''}`);
  }
  for (const t of ['ddbd', 'dynalite']) {
    const r = paired(t, 'put-gsi', t, 'put', 100, 0, ' %');
    if (r) ratios.push(`${t} PutItem with 2 GSIs / without ${r}${t === 'ddbd' ? ' (goal ≥ 70 %)' : ''}`);
  }
  // Batches against single-item calls of the same run: items per second over requests per second.
  const ips = (t, w) => {
    const r = rows.find((x) => x.target === t && x.workload === w);
    return r && !r.unsupported && r.items ? r.items / (r.duration_us / 1e6) : undefined;
  };
  for (const t of ['ddbd', 'dynalite']) {
    for (const [b, s, label] of [['batch-write', 'put', 'BatchWriteItem items/s / PutItem req/s'], ['batch-get', 'get', 'BatchGetItem items/s / GetItem req/s']]) {
      const a = ips(t, b);
      const c = rps(t, s);
      if (a && c) ratios.push(`${t} ${label} ${(a / c).toFixed(1)}×`);
    }
  }
  if (ratios.length) {
    out.push(`Ratios: ${ratios.join('; ')}.`);
    out.push('');
  }
  if (rows.some((r) => ['put-gsi', ...reads].includes(r.workload))) {
    out.push(
      `Query and Scan read table bench-q: pk S + sk N, ${meta.queryPartitions} partitions of ` +
        `${meta.queryItems} ~200-byte items, GSIs g1-index and g2-index (hash key only, projection ` +
        `${GSI_PROJECTION}); every Query returns a whole partition (no Limit), the GSI Query a whole ` +
        `index partition of g1-index. The Scan's connections each follow LastEvaluatedKey page by page ` +
        'and wrap to the start (a page after the last full one can be empty, hence items/s < ' +
        `${meta.scanLimit} × pages/s). PutItem with 2 GSIs writes new keys to bench-gsi (pk S, GSIs on ` +
        'g1 with 100 values and g2 unique per item), items of the same ~200 bytes as PutItem\'s.',
    );
    out.push('');
  }
  if (rows.some((r) => batches.has(r.workload) || r.workload === 'transact-write')) {
    out.push(
      'The batch and transaction rows use table bench, like PutItem and GetItem. BatchWriteItem puts ' +
        '25 new ~200-byte items of PutItem\'s shape per request (items/s counts the items of 200s whose ' +
        'UnprocessedItems is {}: 25 × req/s when every answer is one). BatchGetItem reads 100 distinct ' +
        'keys of GetItem\'s preloaded items per request, eventually consistent (items/s counts the items ' +
        'returned; a 200 with another number of items than 100, or UnprocessedKeys not {}, is a miss). ' +
        'TransactWriteItems touches 4 new keys per request: two Puts of PutItem\'s items, an Update ' +
        '`ADD n :one` and a ConditionCheck `attribute_not_exists(pk)` on a key never written, with a ' +
        'fresh ClientRequestToken as the SDKs send one; it runs against ddbd only (dynalite has no transactions; no nginx row).',
    );
    out.push('');
  }
  out.push(
    'Contended: each wrk thread keeps the last version it saw per hot key and sends ' +
      '`#v = :expected` with `ReturnValues: ALL_NEW` and `ReturnValuesOnConditionCheckFailure: ALL_OLD`; ' +
      'the version in either answer feeds the next attempt. A server that returns no item on a ' +
      'conflict (dynalite predates the parameter) makes the thread re-read the keys with GetItem ' +
      '(counted as re-reads; wins = 200s minus re-reads).',
  );
  out.push('');
  out.push('| server | startup median (min–max), ms | RSS idle | RSS after ' + fmtInt(meta.rssItems) + ' items (persistent) | peak RSS (VmHWM) | load rate |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const target of ['ddbd', 'dynalite']) {
    const s = meta.startup?.[target];
    const m = meta.rss?.[target] || {};
    const st = s ? `${s.median_ms.toFixed(1)} (${s.min_ms.toFixed(1)}–${s.max_ms.toFixed(1)})` : 'n/a';
    const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : 'n/a');
    const rate = Number.isFinite(m.loadSeconds) ? `${fmtInt(meta.rssItems / m.loadSeconds)} items/s` : 'n/a';
    out.push(`| ${target} | ${st} | ${mb(m.idleKb)} | ${mb(m.loadedKb)} | ${mb(m.loadedHwmKb)} | ${rate} |`);
  }
  out.push('');
  out.push(
    `Startup: spawn → first successful ListTables (HTTP polled from node), ${meta.startupRuns} runs; ` +
      `spawning /bin/true from the same harness takes ${meta.startup?.baseline ? meta.startup.baseline.median_ms.toFixed(1) : 'n/a'} ms (median), included in the figures. ` +
      'RSS idle: VmRSS ~1 s after start (in memory). Persistent: `--db-path` / `--path` in a temp dir, ' +
      `${fmtInt(meta.rssItems)} PutItems of ~200 bytes (32 concurrent), VmRSS read ~2 s after the load.`,
  );
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------

const [cmd, ...args] = process.argv.slice(2);
try {
  switch (cmd) {
    case 'free-port':
      console.log(await freePort());
      break;
    case 'wait':
      await waitReady(args[0], Number(args[1] || 20000));
      break;
    case 'setup': {
      const [endpoint, table, getItems, hotKeys] = args;
      await createTable(endpoint, table);
      await load(endpoint, table, Number(getItems), (i) => `item-${i}`, 32, 1);
      await load(endpoint, table, Number(hotKeys), (i) => `hot-${i}`, 16, 0);
      break;
    }
    case 'setup-indexes': {
      const [endpoint, queryTable, partitions, perPartition, gsiTable] = args;
      await setupIndexes(endpoint, queryTable, Number(partitions), Number(perPartition), gsiTable);
      break;
    }
    case 'load': {
      const [endpoint, table, count, prefix, concurrency] = args;
      const t0 = process.hrtime.bigint();
      await load(endpoint, table, Number(count), (i) => `${prefix}-${i}`, Number(concurrency), 1);
      console.log((Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3));
      break;
    }
    case 'hot-sum': {
      // Sum of the hot keys' versions: every win added exactly 1, so this must equal the wins
      // (plus at most the requests still in flight when wrk stopped counting).
      const [endpoint, table, hotKeys] = args;
      let sum = 0;
      for (let i = 0; i < Number(hotKeys); i++) {
        const out = await must(endpoint, 'GetItem', { TableName: table, Key: { pk: { S: `hot-${i}` } }, ConsistentRead: true });
        sum += Number(out.Item.version.N);
      }
      console.log(sum);
      break;
    }
    case 'create-table':
      await createTable(args[0], args[1]);
      break;
    case 'startup':
      console.log(JSON.stringify(await startup(Number(args[0]), args[1], args.slice(2))));
      break;
    case 'spawn-baseline': {
      // How long spawning a trivial process takes from here (spawn -> exit), for context.
      const runs = Number(args[0] || 20);
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await new Promise((resolve) => spawn('/bin/true', [], { stdio: 'ignore' }).on('exit', resolve));
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      console.log(JSON.stringify({ runs, median_ms: times[Math.floor(runs / 2)], min_ms: times[0], max_ms: times[runs - 1] }));
      break;
    }
    case 'report':
      process.stdout.write(report(args[0], args[1]));
      break;
    default:
      console.error('usage: see the header of tool.mjs');
      process.exit(2);
  }
} catch (err) {
  console.error(`tool.mjs ${cmd}: ${err.message}`);
  process.exit(1);
} finally {
  agent.destroy();
}
