'use strict';
// Compatibility driver: runs the official immudb Node.js SDK (immudb-node 1.1.1, pinned in
// tests/external/node) against an already running server. It starts nothing itself.
//
// Usage: node immudb_node_test.js --host H --port P --state-dir D --modules NODE_MODULES_DIR
//          [--phase all|tamper-write|tamper-check] [--info-file F] [--user U] [--password PW]
//          [--step-timeout MS] [--total-timeout MS] [--signing-pub PEM_FILE]
// With --signing-pub the server is expected to sign states with the matching private key and
// every signature is checked; without it, states must carry no signature.
// Environment fallbacks: IMMUDB_TEST_HOST, IMMUDB_TEST_PORT, IMMUDB_TEST_STATE_DIR,
// IMMUDB_NODE_MODULES, IMMUDB_TEST_USER, IMMUDB_TEST_PASSWORD.
//
// Prints one PASS/FAIL line per check and finally "N passed, M failed"; exits 0 only when
// nothing failed. SDK pitfalls handled here: its own failed connections exit 0 (so we probe
// Health ourselves first), it keeps a state file (rootPath) between runs (each client gets a
// file in --state-dir), it swallows exceptions thrown in callbacks and then never settles (every
// step is raced against a timeout, and a global timer ends the run), and several of its
// verification failures only log with console.error (captured and counted as failures).
const path = require('path');
const fs = require('fs');
const crypto = require('crypto');
const raw = require('./lib/raw_immu');

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = {
    host: process.env.IMMUDB_TEST_HOST || '127.0.0.1',
    port: process.env.IMMUDB_TEST_PORT || '',
    stateDir: process.env.IMMUDB_TEST_STATE_DIR || '',
    modules: process.env.IMMUDB_NODE_MODULES || '',
    user: process.env.IMMUDB_TEST_USER || 'immudb',
    password: process.env.IMMUDB_TEST_PASSWORD || 'immudb',
    phase: 'all',
    infoFile: '',
    signingPub: '',
    stepTimeout: 15000,
    totalTimeout: 150000,
  };
  const names = { '--host': 'host', '--port': 'port', '--state-dir': 'stateDir',
    '--modules': 'modules', '--user': 'user', '--password': 'password', '--phase': 'phase',
    '--info-file': 'infoFile', '--signing-pub': 'signingPub', '--step-timeout': 'stepTimeout', '--total-timeout': 'totalTimeout' };
  for (let i = 0; i < argv.length; i += 2) {
    const k = names[argv[i]];
    if (!k || i + 1 >= argv.length) throw new Error('bad argument: ' + argv[i]);
    o[k] = argv[i + 1];
  }
  o.stepTimeout = Number(o.stepTimeout);
  o.totalTimeout = Number(o.totalTimeout);
  if (!o.port || !o.stateDir || !o.modules) {
    throw new Error('--port, --state-dir and --modules are required');
  }
  if (!['all', 'tamper-write', 'tamper-check'].includes(o.phase)) {
    throw new Error('unknown phase ' + o.phase);
  }
  if (o.phase !== 'all' && !o.infoFile) throw new Error('--info-file is required for ' + o.phase);
  return o;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.log('usage error: ' + e.message);
  console.log('0 passed, 1 failed');
  process.exit(2);
}

// ---------------------------------------------------------------- bookkeeping
let passed = 0;
let failed = 0;
const sdkErrors = [];
const origError = console.error.bind(console);
console.error = (...args) => {
  const text = args.map((a) => (a instanceof Error ? a.message : typeof a === 'object' ? safeJson(a) : String(a))).join(' ');
  sdkErrors.push(text);
  origError('  [sdk console.error] ' + text);
};
// The SDK logs chatter with console.log; keep it but mark it.
const origLog = console.log.bind(console);
console.log = (...args) => origLog('  [sdk] ' + args.map(String).join(' '));
const out = (s) => process.stdout.write(s + '\n');

function safeJson(v) {
  try { return JSON.stringify(v); } catch (_) { return String(v); }
}

function finish(code) {
  out(`${passed} passed, ${failed} failed`);
  process.exitCode = code !== undefined ? code : (failed > 0 ? 1 : 0);
  // The SDK keeps channels open; leave explicitly once stdout is flushed.
  process.stdout.write('', () => process.exit(process.exitCode));
}

const globalTimer = setTimeout(() => {
  failed += 1;
  out(`FAIL global: run exceeded ${opts.totalTimeout} ms`);
  finish(1);
}, opts.totalTimeout);
globalTimer.unref();

// The SDK registers an uncaughtException handler that only saves its state, which turns a
// throw inside one of its callbacks into a promise that never settles. Record such errors.
process.on('uncaughtException', (e) => {
  sdkErrors.push('uncaught exception: ' + (e && e.stack ? e.stack : e));
  origError('  [uncaught] ' + (e && e.stack ? e.stack : e));
});
process.on('unhandledRejection', (e) => {
  origError('  [unhandled rejection] ' + describe(e));
});

function describe(e) {
  if (e === undefined) return 'rejected without a reason (SDK verification failure path)';
  if (e === null) return 'rejected with null';
  if (e instanceof Error) return (e.code !== undefined ? `code ${e.code}: ` : '') + e.message;
  if (typeof e === 'object') return safeJson(e);
  return String(e);
}

class CheckError extends Error {}
function check(cond, msg) {
  if (!cond) throw new CheckError(msg);
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (SDK hung)`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// Runs one check: `fn` returns [value, detail]. Console errors logged by the SDK during the step
// fail it. Returns the value, or undefined on failure.
async function step(name, fn) {
  const before = sdkErrors.length;
  try {
    const [value, detail] = await withTimeout(Promise.resolve().then(fn), opts.stepTimeout, name);
    const logged = sdkErrors.slice(before);
    if (logged.length) throw new CheckError('SDK logged errors: ' + logged.join(' | '));
    passed += 1;
    out(`PASS ${name}${detail ? ' - ' + detail : ''}`);
    return value;
  } catch (e) {
    failed += 1;
    out(`FAIL ${name} - ${describe(e)}`);
    return undefined;
  }
}

// Runs `fn` under the step timeout and classifies the outcome without counting it.
async function attempt(fn, what) {
  const before = sdkErrors.length;
  try {
    const value = await withTimeout(Promise.resolve().then(fn), opts.stepTimeout, what);
    return { ok: true, value, logged: sdkErrors.slice(before) };
  } catch (e) {
    return { ok: false, error: e, logged: sdkErrors.slice(before) };
  }
}

// ---------------------------------------------------------------- SDK loading
const sdkRoot = path.join(path.resolve(opts.modules), 'immudb-node');
const grpc = require(path.join(path.resolve(opts.modules), '@grpc', 'grpc-js'));
let ImmudbClient;
const sha = (...p) => raw.sha256(...p);
const b64 = (buf) => Buffer.from(buf).toString('base64');
const hex = (buf) => Buffer.from(buf).toString('hex');
const enc = (s) => Buffer.from(s, 'utf8');

function randomSuffix() {
  return crypto.randomBytes(5).toString('hex');
}

// A fresh SDK client with its own state file; no automatic login (that path exits 0 on errors).
function newClient(stateName) {
  return new ImmudbClient({ host: opts.host, port: opts.port,
    rootPath: path.join(opts.stateDir, stateName) });
}

function authMetadata(client) {
  // The SDK keeps its bearer token in this grpc.Metadata; raw calls reuse it.
  return client._metadata;
}

// ---------------------------------------------------------------- common steps
async function probeServer(rawClient) {
  return step('connect: Health answers with status and an immudb-uuid header', async () => {
    const h = await raw.health(grpc, rawClient, opts.stepTimeout);
    check(h.status === true, 'HealthResponse.status is not true');
    check(/^[0-9a-v]{20}$/.test(h.uuid), `immudb-uuid header missing or not a 20-char xid: '${h.uuid}'`);
    return [h, `version ${h.version}, server id ${h.uuid}`];
  });
}

async function loginClient(stateName, label) {
  const client = newClient(stateName);
  const r = await step(`${label}: login`, async () => {
    const res = await client.login({ user: opts.user, password: opts.password });
    check(res && typeof res.token === 'string' && res.token.length > 0, 'empty token');
    return [res, `token ${res.token.length} chars${res.warning ? ', warning: ' + res.warning : ''}`];
  });
  if (r === undefined) return undefined;
  await step(`${label}: health through the SDK`, async () => {
    const h = await client.health();
    check(h && h.status === true, 'status not true: ' + safeJson(h));
    return [h, `version ${h.version}; SDK learned server uuid: ${client._serverUUID === undefined ? 'no (SDK listens for a "_metadata" event grpc-js never emits)' : client._serverUUID}`];
  });
  return client;
}

async function refusals(rawClient) {
  await step('login with a wrong password is refused', async () => {
    const c = newClient('state-refused.json');
    const a = await attempt(() => c.login({ user: opts.user, password: 'Wrong-password-1!' }), 'login');
    sdkErrors.length -= a.logged.length;
    check(!a.ok, 'login succeeded');
    return [a, describe(a.error)];
  });
}

async function useDb(client, db, label) {
  return step(`${label}: useDatabase ${db}`, async () => {
    const r = await client.useDatabase({ databasename: db });
    check(r && typeof r.token === 'string' && r.token.length > 0, 'empty token in UseDatabaseReply');
    return [r, ''];
  });
}

// ---------------------------------------------------------------- plain (non-verified) calls
// Runs set/get/setAll/getAll/history/scan/count/zAdd/zScan/setReference/txById/currentState on
// the client's current database. Returns the id of the last tx written.
async function plainCalls(client, rawClient, label, headerVersion) {
  const md = () => authMetadata(client);
  const L = (s) => `${label}: ${s}`;
  let lastTx = 0;

  const tx1 = await step(L('set k1'), async () => {
    const r = await client.set({ key: 'k1', value: 'value-one' });
    check(r && r.id > 0, 'no tx id: ' + safeJson(r));
    check(r.nentries === 1, `nentries ${r.nentries}, want 1`);
    check(Buffer.from(r.eh, 'base64').length === 32, 'eH is not 32 bytes');
    return [r.id, `tx ${r.id}`];
  });
  if (tx1) lastTx = tx1;

  await step(L('get k1'), async () => {
    const r = await client.get({ key: 'k1' });
    check(r.value === 'value-one', `value '${r.value}'`);
    check(r.key === 'k1', `key '${r.key}'`);
    check(r.tx === tx1, `tx ${r.tx}, want ${tx1}`);
    return [r, `tx ${r.tx}`];
  });

  const tx2 = await step(L('set k1 again (second revision)'), async () => {
    const r = await client.set({ key: 'k1', value: 'value-two' });
    check(r && r.id > tx1, `tx id ${r && r.id} not after ${tx1}`);
    return [r.id, `tx ${r.id}`];
  });
  if (tx2) lastTx = tx2;

  await step(L('history k1'), async () => {
    const r = await client.history({ key: 'k1' });
    const e = r.entriesList;
    check(e.length === 2, `${e.length} entries, want 2`);
    check(e[0].value === 'value-one' && e[1].value === 'value-two', 'values ' + safeJson(e));
    check(e[0].tx === tx1 && e[1].tx === tx2, 'txs ' + safeJson(e));
    return [r, 'two revisions in tx order'];
  });

  const kvs = [{ key: 'scan-a', value: 'A' }, { key: 'scan-b', value: 'B' }, { key: 'scan-c', value: 'C' }];
  const txAll = await step(L('setAll three keys'), async () => {
    const r = await client.setAll({ kvsList: kvs });
    check(r && r.id > 0, 'no tx id');
    check(r.nentries === 3, `nentries ${r.nentries}, want 3`);
    return [r.id, `tx ${r.id}`];
  });
  if (txAll) lastTx = txAll;

  await step(L('getAll (one key missing)'), async () => {
    const r = await client.getAll({ keysList: ['scan-a', 'scan-b', 'scan-c', 'no-such-key'], sincetx: 0 });
    const e = r.entriesList;
    check(e.length === 3, `${e.length} entries, want 3 (missing keys are skipped)`);
    const got = Object.fromEntries(e.map((x) => [x.key, x.value]));
    check(got['scan-a'] === 'A' && got['scan-b'] === 'B' && got['scan-c'] === 'C', 'values ' + safeJson(e));
    check(e.every((x) => x.tx === txAll), 'tx ids ' + safeJson(e));
    return [r, ''];
  });

  await step(L('scan prefix scan- ascending, descending and limited'), async () => {
    const asc = (await client.scan({ prefix: 'scan-' })).entriesList;
    check(asc.map((x) => x.key).join(',') === 'scan-a,scan-b,scan-c', 'asc keys ' + safeJson(asc));
    check(asc.map((x) => x.value).join('') === 'ABC', 'asc values ' + safeJson(asc));
    const desc = (await client.scan({ prefix: 'scan-', desc: true })).entriesList;
    check(desc.map((x) => x.key).join(',') === 'scan-c,scan-b,scan-a', 'desc keys ' + safeJson(desc));
    const lim = (await client.scan({ prefix: 'scan-', limit: 2 })).entriesList;
    check(lim.length === 2 && lim[0].key === 'scan-a', 'limit 2: ' + safeJson(lim));
    return [asc, ''];
  });

  await step(L('count prefix scan-'), async () => {
    const r = await client.count({ prefix: 'scan-' });
    check(r && r.count === 3, 'count ' + safeJson(r));
    return [r, 'count 3'];
  });

  const zIds = [];
  await step(L('zAdd three members'), async () => {
    for (const [key, score] of [['scan-a', 2.5], ['scan-b', 1], ['scan-c', 3]]) {
      const r = await client.zAdd({ set: 'zset1', score, key });
      check(r && r.id > 0 && r.nentries === 1, 'zAdd answer ' + safeJson(r));
      zIds.push(r.id);
    }
    return [zIds, `txs ${zIds.join(',')}`];
  });
  if (zIds.length) lastTx = zIds[zIds.length - 1];

  await step(L('zScan orders by score'), async () => {
    const e = (await client.zScan({ set: 'zset1' })).entriesList;
    check(e.length === 3, `${e.length} entries, want 3`);
    check(e.map((x) => x.key).join(',') === 'scan-b,scan-a,scan-c', 'keys ' + safeJson(e));
    check(e.map((x) => x.score).join(',') === '1,2.5,3', 'scores ' + safeJson(e));
    check(e.every((x) => x.set === 'zset1'), 'set names ' + safeJson(e));
    return [e, ''];
  });

  await step(L('zScan with score bounds and descending order'), async () => {
    const e = (await client.zScan({ set: 'zset1', minscore: { score: 2 }, maxscore: { score: 3 } })).entriesList;
    check(e.map((x) => x.key).join(',') === 'scan-a,scan-c', 'bounded keys ' + safeJson(e));
    const d = (await client.zScan({ set: 'zset1', desc: true })).entriesList;
    check(d.map((x) => x.key).join(',') === 'scan-c,scan-a,scan-b', 'desc keys ' + safeJson(d));
    return [e, ''];
  });

  await step(L('history descending with limit 1'), async () => {
    const e = (await client.history({ key: 'k1', desc: true, limit: 1 })).entriesList;
    check(e.length === 1 && e[0].value === 'value-two', 'entries ' + safeJson(e));
    return [e, ''];
  });

  await step(L('txScan from tx 1'), async () => {
    const r = await client.txScan({ initialtx: tx1, limit: 3, desc: false });
    const ids = r.txsList.map((t) => t.metadata.id);
    check(ids.join(',') === [tx1, tx1 + 1, tx1 + 2].join(','), 'tx ids ' + safeJson(ids));
    check(r.txsList[2].metadata.nentries === 3 && r.txsList[2].entriesList.length === 3, 'setAll tx entries');
    return [r, `txs ${ids.join(',')}`];
  });

  const txRef = await step(L('setReference ref1 -> k1'), async () => {
    const r = await client.setReference({ key: 'ref1', referencedKey: 'k1' });
    check(r && r.id > 0 && r.nentries === 1, 'answer ' + safeJson(r));
    return [r.id, `tx ${r.id}`];
  });
  if (txRef) lastTx = txRef;

  await step(L('get through the reference'), async () => {
    const r = await client.get({ key: 'ref1' });
    check(r.value === 'value-two', `value '${r.value}', want the latest value of k1`);
    check(r.key === 'k1', `key '${r.key}', want the referenced key`);
    check(r.tx === tx2, `tx ${r.tx}, want ${tx2} (tx of the referenced value)`);
    return [r, ''];
  });

  await step(L('txById of the first set'), async () => {
    const r = await client.txById({ tx: tx1 });
    check(r && r.metadata && r.metadata.id === tx1, 'header id ' + safeJson(r && r.metadata));
    check(r.metadata.nentries === 1, 'nentries ' + r.metadata.nentries);
    check(r.entriesList.length === 1, `${r.entriesList.length} entries`);
    const e = r.entriesList[0];
    check(e.key === b64(Buffer.concat([Buffer.from([0]), enc('k1')])), 'entry key is not 0x00||k1: ' + e.key);
    check(e.hvalue === b64(sha(Buffer.from([0]), enc('value-one'))), 'hValue is not H(0x00||value)');
    return [r, ''];
  });

  await step(L('txById header: version field and nentries (raw decode)'), async () => {
    const t = await raw.txById(grpc, rawClient, md(), tx1, opts.stepTimeout);
    check(t.header.version === headerVersion, `header version ${t.header.version}, want ${headerVersion}`);
    check(t.header.id === BigInt(tx1), 'id');
    check(t.entries.length === 1 && !t.entries[0].hasMetadata, 'entries ' + safeJson(t.entries));
    check(t.entries[0].vLen === 1 + 'value-one'.length, `vLen ${t.entries[0].vLen}`);
    return [t, `version ${t.header.version}`];
  });

  await step(L('currentState matches the last tx and our own Alh'), async () => {
    const s = await client.currentState();
    check(s && s.txid === lastTx, `txid ${s && s.txid}, want ${lastTx}`);
    const hash = Buffer.from(s.txhash, 'base64');
    check(hash.length === 32, 'txhash is not 32 bytes');
    const t = await raw.txById(grpc, rawClient, md(), lastTx, opts.stepTimeout);
    const alh = raw.alhOf(t.header);
    check(alh.equals(hash), `state hash ${hex(hash)} != Alh(tx ${lastTx}) ${hex(alh)}`);
    return [s, `tx ${s.txid} alh ${hex(hash).slice(0, 16)}...`];
  });
  return lastTx;
}

// ---------------------------------------------------------------- verified calls (header v0)
async function verifiedCalls(client, label, startTx) {
  const L = (s) => `${label}: ${s}`;
  let latest = startTx;

  const vs = await step(L('verifiedSet vk1'), async () => {
    const r = await client.verifiedSet({ key: 'vk1', value: 'verified-value-1' });
    check(r && r.id > latest, 'answer ' + safeJson(r));
    return [r.id, `tx ${r.id}`];
  });
  if (vs) latest = vs;

  await step(L('verifiedGet vk1'), async () => {
    const r = await client.verifiedGet({ key: 'vk1' });
    check(r && r.value === 'verified-value-1', 'value ' + safeJson(r));
    check(r.tx === vs, `tx ${r.tx}, want ${vs}`);
    return [r, `tx ${r.tx}`];
  });

  await step(L('verifiedGet k1 (older tx than the trusted state)'), async () => {
    const r = await client.verifiedGet({ key: 'k1' });
    check(r && r.value === 'value-two', 'value ' + safeJson(r));
    check(r.tx < latest, `tx ${r.tx} not older than ${latest}`);
    return [r, `tx ${r.tx}`];
  });

  const vz = await step(L('verifiedZAdd vzset vk1'), async () => {
    const r = await client.verifiedZAdd({ set: 'vzset', score: 7.25, key: 'vk1' });
    check(r && r.id > latest, 'answer ' + safeJson(r));
    return [r.id, `tx ${r.id}`];
  });
  if (vz) latest = vz;

  await step(L('zScan sees the verified member'), async () => {
    const e = (await client.zScan({ set: 'vzset' })).entriesList;
    check(e.length === 1 && e[0].key === 'vk1' && e[0].score === 7.25, 'entries ' + safeJson(e));
    return [e, ''];
  });

  const vr = await step(L('verifiedSetReference vref -> vk1'), async () => {
    const r = await client.verifiedSetReference({ key: 'vref', referencedKey: 'vk1' });
    check(r && r.id > latest, 'answer ' + safeJson(r));
    return [r.id, `tx ${r.id}`];
  });
  if (vr) latest = vr;

  await step(L('verifiedGet through the reference vref'), async () => {
    const r = await client.verifiedGet({ key: 'vref' });
    check(r && r.value === 'verified-value-1', 'value ' + safeJson(r));
    check(r.key === 'vk1', `key ${r.key}, want the referenced key`);
    check(r.referencedby && r.referencedby.tx === vr, 'referencedBy ' + safeJson(r.referencedby));
    check(r.tx === vr, `verified tx ${r.tx}, want the reference's tx ${vr}`);
    return [r, ''];
  });

  await step(L('verifiedTxById of an older tx'), async () => {
    const r = await client.verifiedTxById({ tx: vs });
    check(r && r.metadata && r.metadata.id === vs, 'tx ' + safeJson(r && r.metadata));
    check(r.entriesList.length === 1, 'entries ' + r.entriesList.length);
    check(r.entriesList[0].key === b64(Buffer.concat([Buffer.from([0]), enc('vk1')])), 'entry key');
    return [r, `tx ${vs}`];
  });

  await step(L('verifiedTxById of the latest tx'), async () => {
    const r = await client.verifiedTxById({ tx: latest });
    check(r && r.metadata && r.metadata.id === latest, 'tx ' + safeJson(r && r.metadata));
    return [r, `tx ${latest}`];
  });

  await step(L('verifiedGet on a second, fresh client (trust on first use, then verify)'), async () => {
    const c2 = newClient(`state-${label}-fresh.json`);
    await c2.login({ user: opts.user, password: opts.password });
    await c2.useDatabase({ databasename: client._activeDatabase });
    const r = await c2.verifiedGet({ key: 'vk1' });
    check(r && r.value === 'verified-value-1', 'value ' + safeJson(r));
    return [r, ''];
  });
  return latest;
}

// More verified traffic on the header-v0 database: a tx with three entries, proofs across a
// longer chain in both directions, verifiedGet at a given tx, a large and a non-ASCII value.
async function verifiedExtended(client, label, startTx) {
  const L = (s) => `${label}: ${s}`;
  let latest = startTx;
  const early = await step(L('setAll then verifiedTxById of the 3-entry tx'), async () => {
    const r = await client.setAll({ kvsList: [{ key: 'm1', value: '1' }, { key: 'm2', value: '2' }, { key: 'm3', value: '3' }] });
    const t = await client.verifiedTxById({ tx: r.id });
    check(t && t.metadata.id === r.id && t.metadata.nentries === 3, 'header ' + safeJson(t && t.metadata));
    check(t.entriesList.length === 3, 'entries ' + t.entriesList.length);
    latest = r.id;
    return [r.id, `tx ${r.id}`];
  });
  await step(L('25 more writes, then verifiedTxById of an old tx (local state ahead)'), async () => {
    for (let i = 0; i < 25; i++) {
      const r = await client.set({ key: `bulk-${i}`, value: `bulk value ${i}` });
      latest = r.id;
    }
    await client.verifiedSet({ key: 'bulk-last', value: 'last' });
    const t = await client.verifiedTxById({ tx: early });
    check(t && t.metadata.id === early, 'tx ' + safeJson(t && t.metadata));
    return [t, `tx ${early} proved against the state at ${latest + 1}`];
  });
  latest += 1;
  await step(L('verifiedGet with an old trusted state (fresh client trusting tx 1)'), async () => {
    // A client whose trusted state is the first tx: the proof spans the whole chain.
    const c2 = newClient(`state-${label}-old.json`);
    await c2.login({ user: opts.user, password: opts.password });
    await c2.useDatabase({ databasename: client._activeDatabase });
    const t1 = await raw.txById(grpc, raw.makeRawClient(grpc, opts.host, opts.port), authMetadata(c2), 1, opts.stepTimeout);
    c2.state.set({ serverName: c2._serverUUID, databaseName: client._activeDatabase },
      { db: client._activeDatabase, txid: 1, txhash: new Uint8Array(raw.alhOf(t1.header)) });
    const r = await c2.verifiedGet({ key: 'bulk-last' });
    check(r && r.value === 'last', 'value ' + safeJson(r));
    return [r, `tx 1 -> tx ${r.tx}`];
  });
  await step(L('verifiedGet against a forged trusted state is rejected'), async () => {
    // Same as above with one bit of the trusted Alh changed: the proofs must no longer verify.
    const c3 = newClient(`state-${label}-forged.json`);
    await c3.login({ user: opts.user, password: opts.password });
    await c3.useDatabase({ databasename: client._activeDatabase });
    const t1 = await raw.txById(grpc, raw.makeRawClient(grpc, opts.host, opts.port), authMetadata(c3), 1, opts.stepTimeout);
    const forged = new Uint8Array(raw.alhOf(t1.header));
    forged[5] ^= 0x01;
    c3.state.set({ serverName: c3._serverUUID, databaseName: client._activeDatabase },
      { db: client._activeDatabase, txid: 1, txhash: forged });
    const a = await attempt(() => c3.verifiedGet({ key: 'bulk-last' }), 'verifiedGet');
    sdkErrors.length -= a.logged.length;
    check(!a.ok, 'verifiedGet accepted a proof from a state the server never had: ' + safeJson(a.value));
    return [a, 'rejected: ' + (a.logged[0] || describe(a.error))];
  });
  await step(L('verifiedGetAt k1 at its first tx'), async () => {
    const r = await client.verifiedGetAt({ key: 'k1', attx: 1 });
    check(r && r.value === 'value-one', 'value ' + safeJson(r));
    return [r, ''];
  });
  await step(L('verifiedSet/verifiedGet of a 200 KiB value'), async () => {
    const big = crypto.randomBytes(100 * 1024).toString('hex');
    await client.verifiedSet({ key: 'big', value: big });
    const r = await client.verifiedGet({ key: 'big' });
    check(r && r.value === big, 'value differs (length ' + (r && r.value.length) + ')');
    return [r, `${big.length} bytes`];
  });
  await step(L('verifiedSet/verifiedGet of a non-ASCII key and value'), async () => {
    await client.verifiedSet({ key: 'clé-ключ-鍵', value: 'välue-значение-値' });
    const r = await client.verifiedGet({ key: 'clé-ключ-鍵' });
    check(r && r.value === 'välue-значение-値' && r.key === 'clé-ключ-鍵', 'entry ' + safeJson(r));
    return [r, ''];
  });
  await step(L('get of a missing key fails with "key not found"'), async () => {
    const a = await attempt(() => client.get({ key: 'never-written' }), 'get');
    sdkErrors.length -= a.logged.length;  // the SDK logs every error
    check(!a.ok, 'get of a missing key succeeded: ' + safeJson(a.value));
    check(/key not found/.test(describe(a.error)), 'error ' + describe(a.error));
    return [a, describe(a.error)];
  });
}

// Checks the signature of CurrentState (raw call) and of the state the SDK saved after its last
// verified call (that one comes from VerifiableTx.signature), or their absence without a key.
async function signatureChecks(client, rawClient, label, stateName) {
  const L = (s) => `${label}: ${s}`;
  const db = client._activeDatabase;
  if (!opts.signingPub) {
    await step(L('CurrentState carries no signature (server started without a signing key)'), async () => {
      const st = await raw.currentState(grpc, rawClient, authMetadata(client), opts.stepTimeout);
      check(st.signature === null, 'unexpected signature field');
      return [st, ''];
    });
    return;
  }
  const pem = fs.readFileSync(opts.signingPub, 'utf8');
  await step(L('CurrentState signature verifies with the server key'), async () => {
    const st = await raw.currentState(grpc, rawClient, authMetadata(client), opts.stepTimeout);
    check(st.signature !== null, 'no signature in ImmutableState');
    check(st.db === db, `state db '${st.db}', want '${db}'`);
    check(st.signature.publicKey.equals(raw.rawPublicPoint(pem)),
      'Signature.publicKey is not the 65-byte uncompressed point of the server key');
    check(raw.verifyStateSignature(pem, db, st.txId, st.txHash, st.signature.der),
      'ECDSA signature does not verify over u32(len db)|db|u64(txId)|txHash');
    return [st, `tx ${st.txId}, DER ${st.signature.der.length} bytes`];
  });
  await step(L('signature saved by the SDK after its last verified call verifies'), async () => {
    const data = JSON.parse(fs.readFileSync(path.join(opts.stateDir, stateName), 'utf8'));
    const entries = Object.values(data).map((srv) => srv[db]).filter(Boolean);
    check(entries.length === 1, 'no saved state for ' + db);
    const st = entries[0];
    check(st.signature && st.signature.signature, 'saved state has no signature: ' + safeJson(st));
    const der = Buffer.from(st.signature.signature, 'base64');
    check(raw.verifyStateSignature(pem, db, st.txid, Buffer.from(st.txhash), der),
      `signature of the VerifiableTx target state (tx ${st.txid}) does not verify`);
    return [st, `tx ${st.txid}`];
  });
}

function stateFileTx(stateName) {
  const data = JSON.parse(fs.readFileSync(path.join(opts.stateDir, stateName), 'utf8'));
  const txs = [];
  for (const server of Object.values(data)) for (const st of Object.values(server)) txs.push(st.txid);
  return txs;
}

// ---------------------------------------------------------------- phases
async function phaseAll(rawClient) {
  const suffix = randomSuffix();
  const db0 = `nodev0_${suffix}`;
  let db1 = `nodev1_${suffix}`;

  const admin = await loginClient('state-admin.json', 'admin');
  if (!admin) return;
  await refusals(rawClient);
  await step('getInstance (the documented entry point: login, DatabaseList, UseDatabase, Health)', async () => {
    // On any error getInstance calls process.exit(0); turn that into a failure of this step.
    const realExit = process.exit;
    process.exit = (code) => { throw new Error(`SDK called process.exit(${code}) (its error path)`); };
    try {
      const inst = await ImmudbClient.getInstance({ host: opts.host, port: opts.port,
        user: opts.user, password: opts.password, rootPath: path.join(opts.stateDir, 'state-instance.json') });
      check(inst && inst._activeDatabase === 'defaultdb', 'active database ' + (inst && inst._activeDatabase));
      const st = await inst.currentState();
      check(st && st.db === 'defaultdb', 'currentState ' + safeJson(st));
      return [inst, 'defaultdb selected'];
    } finally {
      process.exit = realExit;
    }
  });
  await step('useDatabase of an unknown database is refused', async () => {
    const a = await attempt(() => admin.useDatabase({ databasename: `nosuchdb_${suffix}` }), 'useDatabase');
    sdkErrors.length -= a.logged.length;
    check(!a.ok, 'useDatabase succeeded');
    return [a, describe(a.error)];
  });

  await step(`createDatabaseV2 ${db0} with writeTxHeaderVersion 0 (raw call)`, async () => {
    const r = await raw.createDatabaseV2(grpc, rawClient, authMetadata(admin), db0, 0, opts.stepTimeout);
    check(r.name === db0, `reply name '${r.name}'`);
    check(!r.alreadyExisted, 'alreadyExisted set');
    check(r.echoedHeaderVersion === undefined || r.echoedHeaderVersion === 0,
      `reply settings.writeTxHeaderVersion ${r.echoedHeaderVersion}`);
    return [r, `settings echoed: ${r.echoedHeaderVersion === undefined ? 'no' : 'writeTxHeaderVersion ' + r.echoedHeaderVersion}`];
  });

  const created1 = await step(`createDatabase ${db1} (SDK, deprecated CreateDatabase RPC)`, async () => {
    await admin.createDatabase({ databasename: db1 });
    return [true, ''];
  });

  await step('listDatabases (SDK, deprecated DatabaseList RPC) shows the new databases', async () => {
    const r = await admin.listDatabases();
    const names = r.databasesList.map((d) => d.databasename);
    check(names.includes(db0) && names.includes(db1) && names.includes('defaultdb'), 'names ' + safeJson(names));
    return [names, names.join(',')];
  });
  if (!created1) {
    // Keep covering the header-v1 calls: defaultdb is created with the default version 1.
    out('info: continuing the header-v1 checks on defaultdb');
    db1 = 'defaultdb';
  }

  // Header version 1 database: everything the SDK does without verification.
  const c1 = await loginClient('state-v1.json', 'v1');
  if (c1 && await useDb(c1, db1, 'v1')) {
    await plainCalls(c1, rawClient, 'v1', 1);
    // SDK 1.1.1 hashes every header as version 0, so it cannot verify version 1 transactions.
    // Its rejection is checked so a server emitting wrong versions or hashes would show here.
    await step('v1: verifiedSet is refused by this SDK (it only knows header version 0)', async () => {
      const a = await attempt(() => c1.verifiedSet({ key: 'v1-verified', value: 'x' }), 'verifiedSet');
      sdkErrors.length -= a.logged.length;  // expected verification messages
      check(!a.ok, 'SDK accepted a header-v1 transaction as verified: ' + safeJson(a.value));
      return [a, 'rejected: ' + (a.logged[0] || describe(a.error))];
    });
  }

  // Header version 0 database: the same plain calls, then every verified call.
  const c0 = await loginClient('state-v0.json', 'v0');
  if (c0 && await useDb(c0, db0, 'v0')) {
    const last = await plainCalls(c0, rawClient, 'v0', 0);
    const latest = await verifiedCalls(c0, 'v0', last);
    await step('v0: SDK state file holds the latest verified tx', async () => {
      const txs = stateFileTx('state-v0.json');
      check(txs.includes(latest), `state file txs ${safeJson(txs)}, want ${latest}`);
      return [txs, `tx ${latest}`];
    });
    await verifiedExtended(c0, 'v0', latest);
    await signatureChecks(c0, rawClient, 'v0', 'state-v0.json');
  }

  // Last, since immudb itself invalidates every token of the user on Logout.
  await step('logout: the logged-out token is refused afterwards', async () => {
    await admin.logout();
    const a = await attempt(() => admin.listDatabases(), 'listDatabases after logout');
    sdkErrors.length -= a.logged.length;
    check(!a.ok, 'a call with the logged-out token succeeded');
    return [a, describe(a.error)];
  });
}

async function phaseTamperWrite(rawClient) {
  const db = `tamper_${randomSuffix()}`;
  const marker = `TAMPER-${crypto.randomBytes(8).toString('hex')}-MARKER`;
  const admin = await loginClient('state-admin.json', 'admin');
  if (!admin) return;
  await step(`createDatabaseV2 ${db} with writeTxHeaderVersion 0`, async () => {
    const r = await raw.createDatabaseV2(grpc, rawClient, authMetadata(admin), db, 0, opts.stepTimeout);
    check(r.name === db, `reply name '${r.name}'`);
    return [r, ''];
  });
  const c = await loginClient('state-tamper.json', 'writer');
  if (!c || !(await useDb(c, db, 'writer'))) return;
  const before = await step('verifiedSet before-key', async () => {
    const r = await c.verifiedSet({ key: 'before-key', value: 'untouched-before' });
    return [r.id, `tx ${r.id}`];
  });
  const target = await step('verifiedSet tamper-key (value to be altered on disk)', async () => {
    const r = await c.verifiedSet({ key: 'tamper-key', value: marker });
    return [r.id, `tx ${r.id}, value ${marker}`];
  });
  await step('verifiedSet after-key', async () => {
    const r = await c.verifiedSet({ key: 'after-key', value: 'untouched-after' });
    return [r.id, `tx ${r.id}`];
  });
  await step('verifiedGet tamper-key before tampering', async () => {
    const r = await c.verifiedGet({ key: 'tamper-key' });
    check(r && r.value === marker, 'value ' + safeJson(r));
    return [r, `tx ${r.tx}`];
  });
  if (before && target) {
    fs.writeFileSync(opts.infoFile, JSON.stringify({ db, marker, key: 'tamper-key', tx: target,
      otherKey: 'before-key', otherValue: 'untouched-before' }, null, 2));
    out(`info: wrote ${opts.infoFile}`);
  }
}

async function phaseTamperCheck(rawClient) {
  const info = JSON.parse(fs.readFileSync(opts.infoFile, 'utf8'));
  // Same state file as the writer: the client already trusts a state covering the tampered tx.
  const c = await loginClient('state-tamper.json', 'reader');
  if (!c) return;
  const used = await attempt(() => c.useDatabase({ databasename: info.db }), 'useDatabase');
  if (!used.ok) {
    out(`info: useDatabase ${info.db} refused after tampering: ${describe(used.error)}`);
  }
  const plain = await attempt(() => c.get({ key: info.key }), 'get');
  out(`info: plain get of the tampered key: ${plain.ok ? `returned value '${plain.value.value}'` : 'error: ' + describe(plain.error)}`);

  await step('verifiedGet never accepts the altered value', async () => {
    const a = await attempt(() => c.verifiedGet({ key: info.key }), 'verifiedGet');
    sdkErrors.length -= a.logged.length;  // verification messages are the expected outcome here
    if (a.ok) {
      check(a.value.value !== undefined, 'no value');
      check(a.value.value === info.marker,
        `client ACCEPTED the altered value '${a.value.value}' as verified`);
      throw new CheckError('verifiedGet returned the ORIGINAL value: the byte flip did not reach what the server reads (tamper not effective)');
    }
    const msg = describe(a.error) + (a.logged.length ? ' / SDK: ' + a.logged.join(' | ') : '');
    const kind = /corrupt|checksum|hash mismatch|tamper/i.test(msg) ? 'server reported corruption' : 'client verification failed';
    return [a, `${kind}: ${msg}`];
  });

  const other = await attempt(() => c.verifiedGet({ key: info.otherKey }), 'verifiedGet other');
  out(`info: verifiedGet of an untouched key in an earlier tx: ${other.ok ? `verified, value '${other.value.value}'` : 'error: ' + describe(other.error) + (other.logged.length ? ' / SDK: ' + other.logged.join(' | ') : '')}`);
  sdkErrors.length -= other.logged.length;
  const vtx = await attempt(() => c.verifiedTxById({ tx: info.tx }), 'verifiedTxById');
  out(`info: verifiedTxById of the tampered tx (headers and digests untouched): ${vtx.ok ? 'verified' : 'error: ' + describe(vtx.error) + (vtx.logged.length ? ' / SDK: ' + vtx.logged.join(' | ') : '')}`);
  sdkErrors.length -= vtx.logged.length;
}

// ---------------------------------------------------------------- main
async function main() {
  out(`immudb-node compatibility driver: server ${opts.host}:${opts.port}, phase ${opts.phase}, state dir ${opts.stateDir}`);
  fs.mkdirSync(opts.stateDir, { recursive: true });
  const ok = await step('immudb-node SDK version is the pinned 1.1.1', async () => {
    const v = JSON.parse(fs.readFileSync(path.join(sdkRoot, 'package.json'), 'utf8')).version;
    check(v === '1.1.1', `installed version ${v}`);
    ImmudbClient = require(sdkRoot).default;
    check(typeof ImmudbClient === 'function', 'SDK default export is not a class');
    return [v, `grpc-js ${JSON.parse(fs.readFileSync(path.join(opts.modules, '@grpc', 'grpc-js', 'package.json'), 'utf8')).version}`];
  });
  if (!ok) return finish(1);
  const rawClient = raw.makeRawClient(grpc, opts.host, opts.port);
  const h = await probeServer(rawClient);
  if (!h) {
    out('cannot reach the server: stopping here');
    return finish(1);
  }
  if (opts.phase === 'all') await phaseAll(rawClient);
  else if (opts.phase === 'tamper-write') await phaseTamperWrite(rawClient);
  else await phaseTamperCheck(rawClient);
  finish();
}

main().catch((e) => {
  failed += 1;
  out('FAIL driver: ' + describe(e) + (e && e.stack ? '\n' + e.stack : ''));
  finish(1);
});
