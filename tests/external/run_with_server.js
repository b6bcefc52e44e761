'use strict';
// CTest harness for the external SDK tests: starts our real `immudb` program on 127.0.0.1 with an
// ephemeral port and a temporary data folder, waits for Health, runs a driver script against
// it, stops the server with SIGTERM and removes the folder. Bounded in time throughout.
//
// Usage: node run_with_server.js --immudb BIN --modules NODE_MODULES --driver SCRIPT
//          [--mode basic|tamper] [--timeout SECONDS] [--keep] [--fips-mode off|on|strict]
//          [--signing-key] [--tls]
//
// --fips-mode passes the same flag to the server (FIPS provider from its default folder).
// --tls starts the server with --auto-cert (a self-signed P-256 certificate in <data>/tls, kept
// across the tamper restarts), probes Health over TLS trusting exactly that certificate, and
// hands it to the driver (--ca-file), whose SDK clients then connect over TLS.
// --signing-key generates a P-256 key into the temp folder, starts the server with
// --signingKey and hands the public key to the driver, which then checks every signature.
//
// mode basic : one server, driver phase "all".
// mode tamper: driver phase "tamper-write"; stop; flip one byte of the written value in the value
//              log (docs/format.md: <db>/val/*.seg hold raw values); restart on the same data;
//              driver phase "tamper-check", which fails if the client accepts the altered value.
// mode tamper-deep: as tamper, and also rewrite the entry's value hash in the tx-log record (with
//              a valid record CRC) and delete the database's index folder (rebuilt from the tx
//              log at start), so the server's own value check passes and only the hash chain
//              (Eh, Alh, proofs) can reveal the change to the client.
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

function parseArgs(argv) {
  const o = { mode: 'basic', timeout: 240, keep: false, fipsMode: '', signingKey: false, tls: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') { o.keep = true; continue; }
    if (a === '--signing-key') { o.signingKey = true; continue; }
    if (a === '--tls') { o.tls = true; continue; }
    const v = argv[++i];
    if (v === undefined) throw new Error('missing value for ' + a);
    if (a === '--immudb') o.immudb = v;
    else if (a === '--modules') o.modules = v;
    else if (a === '--driver') o.driver = v;
    else if (a === '--mode') o.mode = v;
    else if (a === '--timeout') o.timeout = Number(v);
    else if (a === '--fips-mode') o.fipsMode = v;
    else throw new Error('unknown argument ' + a);
  }
  if (!o.immudb || !o.modules || !o.driver) throw new Error('--immudb, --modules and --driver are required');
  if (!['basic', 'tamper', 'tamper-deep'].includes(o.mode)) throw new Error('unknown mode ' + o.mode);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const grpc = require(path.join(path.resolve(opts.modules), '@grpc', 'grpc-js'));
const raw = require('./lib/raw_immu');
const storeFiles = require('./lib/store_files');
const log = (s) => process.stdout.write(`[harness] ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'immudb-ext-'));
const dataDir = path.join(tmp, 'data');
const stateDir = path.join(tmp, 'client-state');
let server = null;       // { child, port, logFile, exited }
let harnessFailures = 0;
const serverExtra = [];
const driverExtra = [];
if (opts.fipsMode) serverExtra.push('--fips-mode', opts.fipsMode);
const autoCert = path.join(dataDir, 'tls', 'auto-cert.pem');
if (opts.tls) {
  serverExtra.push('--auto-cert');
  driverExtra.push('--ca-file', autoCert);
}
if (opts.signingKey) {
  // SEC1 PEM private key (BEGIN EC PRIVATE KEY) as PROTOCOL.md 4.2 describes; SPKI PEM public key.
  const { privateKey, publicKey } = require('crypto').generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyFile = path.join(tmp, 'signing.key');
  const pubFile = path.join(tmp, 'signing.pub');
  fs.writeFileSync(keyFile, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  serverExtra.push('--signingKey', keyFile);
  driverExtra.push('--signing-pub', pubFile);
}

function cleanup() {
  if (server && !server.exited) {
    try { server.child.kill('SIGKILL'); } catch (_) { /* already gone */ }
  }
  if (opts.keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

const globalTimer = setTimeout(() => {
  log(`FAIL: harness exceeded ${opts.timeout} s`);
  cleanup();
  process.exit(1);
}, opts.timeout * 1000);
globalTimer.unref();
process.on('SIGTERM', () => { cleanup(); process.exit(1); });
process.on('SIGINT', () => { cleanup(); process.exit(1); });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (_) {
    return '(no log)';
  }
}

// Starts the server; retries with a new port if the chosen one was taken meanwhile. Resolves
// when Health answers, or rejects with the server's log tail.
async function startServer(tag) {
  for (let attemptNo = 1; attemptNo <= 3; attemptNo++) {
    const port = await freePort();
    const logFile = path.join(tmp, `immudb-${tag}-${attemptNo}.log`);
    const fd = fs.openSync(logFile, 'w');
    const child = spawn(opts.immudb, ['--dir', dataDir, '--address', '127.0.0.1', '--port', String(port), ...serverExtra],
      { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const s = { child, port, logFile, exited: false, code: null, signal: null };
    child.on('exit', (code, signal) => { s.exited = true; s.code = code; s.signal = signal; });
    child.on('error', (e) => { s.exited = true; s.code = -1; log('spawn error: ' + e.message); });
    server = s;
    const deadline = Date.now() + 30000;
    let client = null;
    while (Date.now() < deadline && !s.exited) {
      try {
        if (!client) {
          // With --tls the certificate exists once the server has started (generated on the
          // first start); trust exactly it.
          if (opts.tls) {
            if (!fs.existsSync(autoCert)) throw new Error('no certificate yet');
            raw.setRootCerts(fs.readFileSync(autoCert, 'utf8'));
          }
          client = raw.makeRawClient(grpc, '127.0.0.1', port);
        }
        const h = await raw.health(grpc, client, 500);
        if (h.status) {
          client.close();
          if (opts.tls) log(`TLS: Health answered over TLS verified against ${path.relative(tmp, autoCert)}`);
          const cm = fs.readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('crypto module')) || '';
          log(`server crypto: ${cm.replace(/^.*crypto module:\s*/, '') || '(not logged)'}`);
          if (opts.fipsMode && opts.fipsMode !== 'off' && !/FIPS Provider/.test(cm)) {
            harnessFailures += 1;
            log('FAIL: --fips-mode requested but the server log does not name the FIPS provider');
          }
          log(`server up on 127.0.0.1:${port} (pid ${child.pid}, version ${h.version}, id ${h.uuid})`);
          s.uuid = h.uuid;
          return s;
        }
      } catch (_) { /* not listening yet */ }
      await sleep(150);
    }
    if (client) client.close();
    if (!s.exited) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer Health within 30 s; log:\n${tail(logFile, 20)}`);
    }
    log(`server exited early (code ${s.code}, signal ${s.signal}) on port ${port}; log:\n${tail(logFile, 10)}`);
  }
  throw new Error('server failed to start three times');
}

// SIGTERM, then wait up to 20 s; SIGKILL and count a failure if it does not exit.
async function stopServer() {
  if (!server || server.exited) return;
  server.child.kill('SIGTERM');
  const deadline = Date.now() + 20000;
  while (!server.exited && Date.now() < deadline) await sleep(100);
  if (!server.exited) {
    harnessFailures += 1;
    log('FAIL: server did not exit within 20 s of SIGTERM; killing it');
    server.child.kill('SIGKILL');
    while (!server.exited) await sleep(50);
  } else {
    log(`server stopped (exit code ${server.code}${server.signal ? ', signal ' + server.signal : ''})`);
    if (server.code !== 0) {
      harnessFailures += 1;
      log(`FAIL: server exit code ${server.code} after SIGTERM; log tail:\n${tail(server.logFile, 10)}`);
    }
  }
}

// Runs the driver with a hard time limit; resolves its exit code (non-zero on timeout).
function runDriver(phase, extra, limitSeconds) {
  return new Promise((resolve) => {
    const args = [opts.driver, '--host', '127.0.0.1', '--port', String(server.port),
      '--state-dir', stateDir, '--modules', opts.modules, '--phase', phase,
      '--total-timeout', String((limitSeconds - 5) * 1000), ...driverExtra, ...extra];
    fs.mkdirSync(stateDir, { recursive: true });
    // cwd = state dir: the SDK loads a .env file from the working directory.
    const child = spawn(process.execPath, args, { cwd: stateDir, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => {
      log(`FAIL: driver phase ${phase} exceeded ${limitSeconds} s; killing it`);
      child.kill('SIGKILL');
    }, limitSeconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      log(`driver phase ${phase} exited with ${code === null ? 'signal ' + signal : 'code ' + code}`);
      resolve(code === null ? 1 : code);
    });
  });
}

function walk(dir) {
  const outFiles = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) outFiles.push(...walk(p));
    else if (ent.isFile()) outFiles.push(p);
  }
  return outFiles;
}

// Offsets of every occurrence of `needle` in `file`, read in chunks (segment files may be
// preallocated, docs/format.md, so whole-file reads could be large).
function findInFile(file, needle) {
  const found = [];
  const chunk = 4 << 20;
  const buf = Buffer.alloc(chunk + needle.length);
  const fd = fs.openSync(file, 'r');
  try {
    let pos = 0;
    let carry = 0;  // bytes kept from the previous chunk so matches across a boundary are seen
    for (;;) {
      const n = fs.readSync(fd, buf, carry, chunk, pos);
      if (n <= 0) break;
      const view = buf.subarray(0, carry + n);
      for (let i = view.indexOf(needle); i !== -1; i = view.indexOf(needle, i + 1)) {
        found.push(pos - carry + i);
      }
      const keep = Math.min(needle.length - 1, view.length);
      view.copy(buf, 0, view.length - keep);
      carry = keep;
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return found;
}

// Flips one byte in the middle of every copy of `marker` found in value-log segments of `db`
// (docs/format.md: <db>/.../val/NNNNNNNN.seg). Also reports any other file of `db` (other
// segments excepted, they are large) that holds the marker. Returns the number of bytes flipped.
function flipValueBytes(db, marker) {
  const needle = Buffer.from(marker, 'utf8');
  const mid = Math.floor(needle.length / 2);
  const dbDir = path.join(dataDir, db);
  let flipped = 0;
  if (!fs.existsSync(dbDir)) {
    log(`no folder ${db} in the data folder; top level: ${fs.readdirSync(dataDir).join(', ')}`);
    return 0;
  }
  for (const file of walk(dbDir)) {
    const rel = path.relative(dataDir, file);
    const inValueLog = rel.split(path.sep).includes('val');
    if (!inValueLog && fs.statSync(file).size > (64 << 20)) continue;
    const hits = findInFile(file, needle);
    if (!hits.length) continue;
    if (!inValueLog) {
      log(`note: the value also appears outside the value log in ${rel} at ${hits.join(',')} (left unchanged)`);
      continue;
    }
    const fd = fs.openSync(file, 'r+');
    for (const off of hits) {
      const pos = off + mid;
      const cur = Buffer.alloc(1);
      fs.readSync(fd, cur, 0, 1, pos);
      const b = Buffer.from([cur[0] ^ 0x01]);
      fs.writeSync(fd, b, 0, 1, pos);
      log(`flipped byte at ${rel}:${pos} ('${String.fromCharCode(cur[0])}' -> '${String.fromCharCode(b[0])}')`);
      flipped += 1;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  return flipped;
}

async function main() {
  log(`mode ${opts.mode}, temp dir ${tmp}, server flags: ${serverExtra.join(' ') || '(none)'}`);
  let rc = 0;
  if (opts.mode === 'basic') {
    await startServer('basic');
    rc = await runDriver('all', [], opts.timeout - 60);
    await stopServer();
  } else {
    const info = path.join(tmp, 'tamper-info.json');
    const first = await startServer('write');
    rc = await runDriver('tamper-write', ['--info-file', info], 90);
    await stopServer();
    if (rc !== 0 || !fs.existsSync(info)) {
      log('FAIL: the write phase did not complete; no tamper check possible');
      rc = rc || 1;
    } else {
      const { db, marker, key, tx } = JSON.parse(fs.readFileSync(info, 'utf8'));
      const n = flipValueBytes(db, marker);
      if (n === 0) {
        log(`FAIL: the value '${marker}' was not found in any value-log file of ${db} (docs/format.md layout changed?)`);
        rc = 1;
      }
      if (n > 0 && opts.mode === 'tamper-deep') {
        const store = path.join(dataDir, db, 'store');
        try {
          const what = storeFiles.rehashValue(path.join(store, 'tx', '00000000.seg'),
            path.join(store, 'val', '00000000.seg'), tx,
            Buffer.concat([Buffer.from([0]), Buffer.from(key, 'utf8')]));
          log(`rewrote ${what}`);
          // The index keeps its own copy of value references; drop it so the server rebuilds
          // it from the (altered) tx log, as an attacker with folder access could.
          const indexDir = path.join(dataDir, db, 'index');
          if (fs.existsSync(indexDir)) {
            fs.rmSync(indexDir, { recursive: true, force: true });
            log(`removed ${path.relative(dataDir, indexDir)} (the server rebuilds it from the tx log)`);
          }
        } catch (e) {
          log(`FAIL: could not rewrite the tx record: ${e.message}`);
          rc = 1;
        }
      }
      if (rc === 0) {
        let up = true;
        try {
          await startServer('restart');
        } catch (e) {
          up = false;
          log(`server refused to start on the tampered data: ${e.message}`);
          if (/corrupt|checksum|mismatch/i.test(e.message)) {
            log('outcome: the server reported the corruption at start; no client saw the altered value');
          } else {
            log('FAIL: the server did not start and its log does not name the corruption');
            rc = 1;
          }
        }
        if (up && server.uuid !== first.uuid) {
          harnessFailures += 1;
          log(`FAIL: server id changed across the restart (${first.uuid} -> ${server.uuid}); PROTOCOL.md 4.4 needs it stable`);
        }
        if (up) {
          rc = await runDriver('tamper-check', ['--info-file', info], 90);
          log('server log after the tamper check (last lines):\n' + tail(server.logFile, 8));
          await stopServer();
        }
      }
    }
  }
  if (harnessFailures) rc = rc || 1;
  log(`result: ${rc === 0 ? 'PASS' : 'FAIL'}`);
  return rc;
}

main().then((rc) => {
  cleanup();
  process.exit(rc);
}).catch((e) => {
  log('FAIL: ' + (e && e.stack ? e.stack : e));
  cleanup();
  process.exit(1);
});
