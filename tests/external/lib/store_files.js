'use strict';
// Reading and patching our store files (docs/format.md) for the tamper tests: walks the tx log,
// finds an entry, and rewrites its value hash with a valid record CRC, the way an attacker with
// write access to the data folder would. Only first segments are handled (test data is small).
const fs = require('fs');
const crypto = require('crypto');

const SEGMENT_HEADER = 32;

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78).
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crc32c(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// LevelDB-style masked CRC as stored in record framing.
function maskedCrc32c(buf) {
  const c = crc32c(buf);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// Parses one tx record payload; returns {id, entries:[{key, valueLen, valueOffset, hashPos}]}
// where hashPos is the offset of the entry's value hash inside the payload.
function parseTxPayload(p) {
  let o = 0;
  const id = p.readBigUInt64BE(o); o += 8;
  o += 8 + 8 + 32 + 32;             // ts, bl_tx_id, bl_root, prev_alh
  o += 2;                           // version
  const txmdLen = p.readUInt16BE(o); o += 2 + txmdLen;
  const n = p.readUInt32BE(o); o += 4;
  o += 32;                          // eh
  const entries = [];
  for (let i = 0; i < n; i++) {
    const mdLen = p.readUInt16BE(o); o += 2 + mdLen;
    const keyLen = p.readUInt16BE(o); o += 2;
    const key = p.subarray(o, o + keyLen); o += keyLen;
    const valueLen = p.readUInt32BE(o); o += 4;
    const valueOffset = p.readBigUInt64BE(o); o += 8;
    entries.push({ key: Buffer.from(key), valueLen, valueOffset, hashPos: o });
    o += 32;
  }
  return { id, entries };
}

// Finds tx `txId` in the first tx-log segment; returns {recordPos, payload, tx} or null.
function findTx(txSegment, txId) {
  const fd = fs.openSync(txSegment, 'r');
  try {
    let pos = SEGMENT_HEADER;
    const head = Buffer.alloc(8);
    for (let i = 0; i < 1000000; i++) {
      if (fs.readSync(fd, head, 0, 8, pos) !== 8) return null;
      const len = head.readUInt32BE(0);
      if (len === 0) return null;
      const payload = Buffer.alloc(len);
      if (fs.readSync(fd, payload, 0, len, pos + 8) !== len) return null;
      if (head.readUInt32BE(4) !== maskedCrc32c(payload)) return null;  // end of written data
      const tx = parseTxPayload(payload);
      if (tx.id === BigInt(txId)) return { recordPos: pos, payload, tx };
      pos += 8 + len;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

// Makes the tx record of `txId` agree with the current bytes of the value of store key
// `storeKey`: new value hash = SHA-256(value as now in the value log), record CRC recomputed.
// Returns a description of what changed; throws when the entry cannot be found.
function rehashValue(txSegment, valSegment, txId, storeKey) {
  const found = findTx(txSegment, txId);
  if (!found) throw new Error(`tx ${txId} not found in ${txSegment}`);
  const e = found.tx.entries.find((x) => x.key.equals(storeKey));
  if (!e) throw new Error(`store key ${storeKey.toString('hex')} not in tx ${txId}`);
  const value = Buffer.alloc(e.valueLen);
  const vfd = fs.openSync(valSegment, 'r');
  fs.readSync(vfd, value, 0, e.valueLen, SEGMENT_HEADER + Number(e.valueOffset));
  fs.closeSync(vfd);
  const oldHash = found.payload.subarray(e.hashPos, e.hashPos + 32).toString('hex');
  const newHash = crypto.createHash('sha256').update(value).digest();
  newHash.copy(found.payload, e.hashPos);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(maskedCrc32c(found.payload));
  const fd = fs.openSync(txSegment, 'r+');
  fs.writeSync(fd, found.payload, 0, found.payload.length, found.recordPos + 8);
  fs.writeSync(fd, crc, 0, 4, found.recordPos + 4);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return `tx ${txId} record at ${found.recordPos}: value hash ${oldHash.slice(0, 16)}… -> ${newHash.toString('hex').slice(0, 16)}…, CRC rewritten`;
}

module.exports = { crc32c, maskedCrc32c, parseTxPayload, findTx, rehashValue };
