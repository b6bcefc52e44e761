'use strict';
// Direct gRPC calls to immudb.schema.ImmuService for what the pinned Node SDK cannot do itself:
// Health with its response headers, CreateDatabaseV2 with settings, the raw TxHeader of a tx
// (including the version field the SDK's schema lacks), and an independent Alh computation
// (PROTOCOL.md 2.5) to cross-check CurrentState. Every call carries a deadline.
const crypto = require('crypto');
const pl = require('./proto_lite');

const SERVICE = '/immudb.schema.ImmuService/';

function sha256(...parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function u16(n) { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; }
function u32(n) { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; }
function u64(n) { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n))); return b; }

// Root certificates (PEM) trusted by makeRawClient; null: plaintext channels.
let rootCertsPem = null;

// From now on makeRawClient connects with TLS trusting exactly `pem` (a CA or self-signed
// server certificate); null goes back to plaintext.
function setRootCerts(pem) {
  rootCertsPem = pem ? Buffer.from(pem) : null;
}

// A plain grpc-js client for host:port: an insecure channel as the SDK uses by default, or TLS
// verifying the server against the PEM given to setRootCerts.
function makeRawClient(grpc, host, port) {
  const creds = rootCertsPem ? grpc.credentials.createSsl(rootCertsPem) : grpc.credentials.createInsecure();
  return new grpc.Client(`${host}:${port}`, creds);
}

// Calls `method` with the encoded request; resolves {reply: Buffer, headers: grpc.Metadata|null}
// or rejects with the gRPC error. `metadata` may be null.
function rawCall(grpc, client, method, request, metadata, timeoutMs) {
  return new Promise((resolve, reject) => {
    let headers = null;
    const call = client.makeUnaryRequest(
      SERVICE + method, (x) => x, (x) => x, request,
      metadata || new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
      (err, reply) => (err ? reject(err) : resolve({ reply: reply || Buffer.alloc(0), headers })));
    call.on('metadata', (m) => { headers = m; });
  });
}

// Health: resolves {status, version, uuid} (uuid from the immudb-uuid response header, or '').
async function health(grpc, client, timeoutMs) {
  const { reply, headers } = await rawCall(grpc, client, 'Health', Buffer.alloc(0), null, timeoutMs);
  const f = pl.decode(reply);
  const uuidValues = headers ? headers.get('immudb-uuid') : [];
  return {
    status: pl.last(f, 1) === 1n,
    version: (pl.last(f, 2) || Buffer.alloc(0)).toString('utf8'),
    uuid: uuidValues.length ? String(uuidValues[0]) : '',
  };
}

// CreateDatabaseV2{name, settings{writeTxHeaderVersion = headerVersion}}. Resolves
// {name, alreadyExisted, echoedHeaderVersion (undefined when the reply omits it)}.
async function createDatabaseV2(grpc, client, metadata, name, headerVersion, timeoutMs) {
  const settings = pl.fieldBytes(20, pl.fieldVarint(1, headerVersion));  // NullableUint32
  const req = Buffer.concat([pl.fieldBytes(1, name), pl.fieldBytes(2, settings)]);
  const { reply } = await rawCall(grpc, client, 'CreateDatabaseV2', req, metadata, timeoutMs);
  const f = pl.decode(reply);
  let echoed;
  const s = pl.last(f, 2);
  if (s !== undefined) {
    const w = pl.last(pl.decode(s), 20);
    if (w !== undefined) echoed = Number(pl.last(pl.decode(w), 1) || 0n);
  }
  return {
    name: (pl.last(f, 1) || Buffer.alloc(0)).toString('utf8'),
    alreadyExisted: pl.last(f, 3) === 1n,
    echoedHeaderVersion: echoed,
  };
}

// Parses a TxHeader message into plain fields.
function parseHeader(buf) {
  const f = pl.decode(buf);
  const bytes = (n) => Buffer.from(pl.last(f, n) || Buffer.alloc(0));
  const num = (n) => pl.last(f, n) || 0n;
  const md = pl.last(f, 9);
  let truncatedTxId = 0n;
  let extra = Buffer.alloc(0);
  if (md !== undefined) {
    const mf = pl.decode(md);
    truncatedTxId = pl.last(mf, 1) || 0n;
    extra = Buffer.from(pl.last(mf, 2) || Buffer.alloc(0));
  }
  return {
    id: num(1), prevAlh: bytes(2), ts: BigInt.asIntN(64, num(3)),
    nentries: Number(BigInt.asIntN(32, num(4))), eh: bytes(5), blTxId: num(6), blRoot: bytes(7),
    version: Number(BigInt.asIntN(32, num(8))), hasMetadataField: md !== undefined,
    truncatedTxId, extra,
  };
}

// TxById{tx} without entriesSpec; resolves {header, entries:[{key, hValue, vLen, hasMetadata}]}.
async function txById(grpc, client, metadata, txId, timeoutMs) {
  const req = pl.fieldVarint(1, txId);
  const { reply } = await rawCall(grpc, client, 'TxById', req, metadata, timeoutMs);
  const f = pl.decode(reply);
  const h = pl.last(f, 1);
  if (h === undefined) throw new Error('TxById reply has no header (field 1)');
  const entries = (f.get(2) || []).map(({ value }) => {
    const ef = pl.decode(value);
    return {
      key: Buffer.from(pl.last(ef, 1) || Buffer.alloc(0)),
      hValue: Buffer.from(pl.last(ef, 2) || Buffer.alloc(0)),
      vLen: Number(pl.last(ef, 3) || 0n),
      hasMetadata: ef.has(4),
    };
  });
  return { header: parseHeader(h), entries };
}

// CurrentState of the database bound to `metadata`; resolves {db, txId, txHash, signature}
// where signature is null or {publicKey, der}.
async function currentState(grpc, client, metadata, timeoutMs) {
  const { reply } = await rawCall(grpc, client, 'CurrentState', Buffer.alloc(0), metadata, timeoutMs);
  const f = pl.decode(reply);
  const sig = pl.last(f, 4);
  let signature = null;
  if (sig !== undefined) {
    const sf = pl.decode(sig);
    signature = { publicKey: Buffer.from(pl.last(sf, 1) || Buffer.alloc(0)),
      der: Buffer.from(pl.last(sf, 2) || Buffer.alloc(0)) };
  }
  return { db: (pl.last(f, 1) || Buffer.alloc(0)).toString('utf8'), txId: pl.last(f, 2) || 0n,
    txHash: Buffer.from(pl.last(f, 3) || Buffer.alloc(0)), signature };
}

// True iff `der` is a valid ECDSA-SHA256 signature by `publicKeyPem` over the signed state
// payload u32(len(db)) || db || u64(txId) || txHash (PROTOCOL.md 4.2).
function verifyStateSignature(publicKeyPem, db, txId, txHash, der) {
  const name = Buffer.from(db, 'utf8');
  const payload = Buffer.concat([u32(name.length), name, u64(txId), Buffer.from(txHash)]);
  return crypto.verify('sha256', payload, { key: publicKeyPem, dsaEncoding: 'der' }, der);
}

// Uncompressed SEC1 point (0x04 || X || Y) of a PEM public key.
function rawPublicPoint(publicKeyPem) {
  const jwk = crypto.createPublicKey(publicKeyPem).export({ format: 'jwk' });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

// Alh of a parsed header for header version 0 or 1 (PROTOCOL.md 2.2, 2.5).
function alhOf(h) {
  let middle;
  if (h.version === 0) {
    middle = Buffer.concat([u16(0), u16(h.nentries)]);
  } else if (h.version === 1) {
    const parts = [];
    if (h.truncatedTxId > 0n) parts.push(Buffer.from([0x00]), u64(h.truncatedTxId));
    if (h.extra.length > 0) parts.push(Buffer.from([0x01]), u16(h.extra.length), h.extra);
    const txmd = Buffer.concat(parts);
    middle = Buffer.concat([u16(1), u16(txmd.length), txmd, u32(h.nentries)]);
  } else {
    throw new Error('unsupported header version ' + h.version);
  }
  const inner = sha256(u64(h.ts), middle, h.eh, u64(h.blTxId), h.blRoot);
  return sha256(u64(h.id), h.prevAlh, inner);
}

module.exports = { sha256, setRootCerts, makeRawClient, rawCall, health, createDatabaseV2, txById, alhOf,
  currentState, verifyStateSignature, rawPublicPoint };
