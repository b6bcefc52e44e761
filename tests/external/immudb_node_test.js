'use strict';
// Compatibility driver: runs the official immudb Node.js SDK (immudb-node 1.1.1, pinned in
// tests/external/node) against an already running server. It starts nothing itself.
//
// Usage: node immudb_node_test.js --host H --port P --state-dir D --modules NODE_MODULES_DIR
//          [--phase all|tamper-write|tamper-check] [--info-file F] [--user U] [--password PW]
//          [--step-timeout MS] [--total-timeout MS] [--signing-pub PEM_FILE] [--ca-file PEM_FILE]
// With --signing-pub the server is expected to sign states with the matching private key and
// every signature is checked; without it, states must carry no signature.
// With --ca-file the server is expected to serve TLS: every SDK client is built with the SDK's
// own `certs` option holding that PEM (see installCertsShim for the SDK defect this needs), raw
// calls use TLS trusting exactly that PEM, and TLS refusals are checked (plaintext client, SDK
// certs option without the shim, a client trusting only the system roots).
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
    caFile: '',
    stepTimeout: 15000,
    totalTimeout: 150000,
  };
  const names = { '--host': 'host', '--port': 'port', '--state-dir': 'stateDir',
    '--modules': 'modules', '--user': 'user', '--password': 'password', '--phase': 'phase',
    '--info-file': 'infoFile', '--signing-pub': 'signingPub', '--ca-file': 'caFile', '--step-timeout': 'stepTimeout', '--total-timeout': 'totalTimeout' };
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
// Node's own process warnings (grpc-js 1.2 sets an IP address as TLS server name: DEP0123; each
// SDK client adds an uncaughtException listener: MaxListenersExceededWarning) are printed, marked,
// and not counted as SDK errors.
process.removeAllListeners('warning');
process.on('warning', (w) => origError(`  [node warning] ${w.name}: ${w.message}`));
// The SDK logs chatter with console.log; keep it but mark it.
const origLog = console.log.bind(console);
console.log = (...args) => origLog('  [sdk] ' + args.map(String).join(' '));
const out = (s) => process.stdout.write(s + '\n');

function safeJson(v) {
  try { return JSON.stringify(v); } catch (_) { return String(v); }
}

function finish(code) {
  if (caPem) {
    out(`TLS: the SDK built ${certsShim.decoded} TLS channel(s) from its certs option through the shim`);
    if (certsShim.decoded === 0) {
      failed += 1;
      out('FAIL TLS: no SDK client used its certs option');
    }
  }
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

// TLS (--ca-file): the trusted PEM, handed to the SDK as its `certs` option.
const caPem = opts.caFile ? fs.readFileSync(opts.caFile, 'utf8') : null;
if (caPem) raw.setRootCerts(caPem);

// immudb-node 1.1.1 builds its TLS credentials in the ImmudbClient constructor
// (dist/src/client.js lines 42-44):
//     if (certs !== undefined) {
//         this._auth = grpc.credentials.createSsl(Buffer.from(JSON.stringify(certs)));
//     }
// JSON.stringify turns the PEM into one JSON-quoted line ("\"-----BEGIN CERTIFICATE-----\\nMII...\"",
// newlines escaped), which holds no certificate Node's PEM reader can find; grpc-js accepts the
// buffer and every handshake then fails certificate verification (checked below, 'SDK certs
// option as published'). No value of `certs` avoids it: JSON.stringify output never starts a
// line with "-----BEGIN". The shim wraps createSsl of the grpc-js instance the SDK itself loads
// (same node_modules, same module object) and, only while enabled, turns a root-certificate
// buffer that is a JSON string literal back into the text it encodes. Everything else (the SDK's
// option, its channel, its calls) is the SDK's own code.
const certsShim = { enabled: false, decoded: 0 };
function installCertsShim() {
  const creds = grpc.credentials;
  const original = creds.createSsl;
  creds.createSsl = (rootCerts, ...rest) => {
    if (certsShim.enabled && Buffer.isBuffer(rootCerts) && rootCerts[0] === 0x22) {
      const text = JSON.parse(rootCerts.toString('utf8'));
      if (typeof text === 'string') {
        certsShim.decoded += 1;
        return original(Buffer.from(text, 'utf8'), ...rest);
      }
    }
    return original(rootCerts, ...rest);
  };
}

// Options common to every SDK client: host, port, and with --ca-file the SDK's `certs`.
function sdkOptions(extra) {
  const o = { host: opts.host, port: opts.port, ...extra };
  if (caPem) o.certs = caPem;
  return o;
}

// A fresh SDK client with its own state file; no automatic login (that path exits 0 on errors).
function newClient(stateName) {
  return new ImmudbClient(sdkOptions({ rootPath: path.join(opts.stateDir, stateName) }));
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

function stateFileTx(stateName) {
  const data = JSON.parse(fs.readFileSync(path.join(opts.stateDir, stateName), 'utf8'));
  const txs = [];
  for (const server of Object.values(data)) for (const st of Object.values(server)) txs.push(st.txid);
  return txs;
}

// ---------------------------------------------------------------- phases
const kv = require('./lib/node_kv_checks');
// What lib/node_kv_checks.js needs from the driver.
const ctx = { step, attempt, check, safeJson, describe, opts, grpc, raw, newClient, authMetadata,
  sdkErrors, sha, b64, enc, hex };

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
      const inst = await ImmudbClient.getInstance(sdkOptions({
        user: opts.user, password: opts.password, rootPath: path.join(opts.stateDir, 'state-instance.json') }));
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
    await kv.plainCalls(ctx, c1, rawClient, 'v1', 1);
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
    const last = await kv.plainCalls(ctx, c0, rawClient, 'v0', 0);
    const latest = await kv.verifiedCalls(ctx, c0, 'v0', last);
    await step('v0: SDK state file holds the latest verified tx', async () => {
      const txs = stateFileTx('state-v0.json');
      check(txs.includes(latest), `state file txs ${safeJson(txs)}, want ${latest}`);
      return [txs, `tx ${latest}`];
    });
    await kv.verifiedExtended(ctx, c0, 'v0', latest);
    await kv.signatureChecks(ctx, c0, rawClient, 'v0', 'state-v0.json');
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
  out(`info: verifiedTxById of the tampered tx (this SDK checks only the header proofs there, not the entries): ${vtx.ok ? 'verified' : 'error: ' + describe(vtx.error) + (vtx.logged.length ? ' / SDK: ' + vtx.logged.join(' | ') : '')}`);
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
  if (caPem) {
    installCertsShim();
    await tlsRefusals();
    certsShim.enabled = true;
  }
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

// One TLS handshake to the server trusting `ca` (ALPN h2 as gRPC); resolves {authorized,
// error, protocol}.
function tlsProbe(ca) {
  const tls = require('tls');
  return new Promise((resolve) => {
    const sock = tls.connect({ host: opts.host, port: Number(opts.port), ca, ALPNProtocols: ['h2'],
      rejectUnauthorized: false, timeout: opts.stepTimeout });
    const done = (r) => { sock.destroy(); resolve(r); };
    sock.once('secureConnect', () => done({ authorized: sock.authorized,
      error: sock.authorizationError ? String(sock.authorizationError) : '', protocol: sock.getProtocol() }));
    sock.once('error', (e) => done({ authorized: false, error: e.code || e.message, protocol: '' }));
    sock.once('timeout', () => done({ authorized: false, error: 'timeout', protocol: '' }));
  });
}

// TLS server (--ca-file): what must not connect. Each step passes only when the call fails.
async function tlsRefusals() {
  const expectRefused = async (name, fn) => step(name, async () => {
    const a = await attempt(fn, name);
    sdkErrors.length -= a.logged.length;  // the SDK logs its failed call; expected here
    check(!a.ok, 'the call succeeded');
    return [a, describe(a.error)];
  });
  const login = (c) => c.login({ user: opts.user, password: opts.password });
  await expectRefused('TLS: an SDK client without certs (plaintext) is refused',
    () => login(new ImmudbClient({ host: opts.host, port: opts.port, rootPath: path.join(opts.stateDir, 'state-plain.json') })));
  await expectRefused('TLS: the SDK certs option as published (JSON-quoted PEM, no shim) fails verification',
    () => login(newClient('state-unshimmed.json')));
  // grpc-js only says UNAVAILABLE; show the reason with Node's TLS on the same two root buffers.
  await step('TLS: Node TLS trusting the JSON-quoted PEM fails verification, the PEM itself verifies', async () => {
    const quoted = await tlsProbe(Buffer.from(JSON.stringify(caPem)));
    check(!quoted.authorized, 'the JSON-quoted PEM verified the server');
    const plain = await tlsProbe(Buffer.from(caPem));
    check(plain.authorized, 'the PEM did not verify the server: ' + plain.error);
    return [null, `JSON-quoted: ${quoted.error}; PEM: authorized, ${plain.protocol}`];
  });
  await expectRefused('TLS: a raw client trusting only the system roots is refused',
    () => raw.health(grpc, new grpc.Client(`${opts.host}:${opts.port}`, grpc.credentials.createSsl()), opts.stepTimeout));
}

main().catch((e) => {
  failed += 1;
  out('FAIL driver: ' + describe(e) + (e && e.stack ? '\n' + e.stack : ''));
  finish(1);
});
