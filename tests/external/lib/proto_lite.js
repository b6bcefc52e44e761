'use strict';
// Minimal protobuf wire codec used by the external tests for the few messages the pinned SDK
// cannot express (its schema predates CreateDatabaseV2 and TxHeader.version). Encodes varint and
// length-delimited fields; decodes any message into a map of field number -> list of values.

// Returns the varint encoding of a non-negative integer (number or BigInt).
function varint(n) {
  let v = BigInt(n);
  if (v < 0n) throw new Error('varint: negative value');
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

// Field with wire type 0 (varint).
function fieldVarint(num, value) {
  return Buffer.concat([varint((num << 3) | 0), varint(value)]);
}

// Field with wire type 2 (bytes, string or embedded message).
function fieldBytes(num, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return Buffer.concat([varint((num << 3) | 2), varint(buf.length), buf]);
}

// Decodes one message. Returns Map<fieldNumber, Array<{wt, value}>> where value is a BigInt for
// varints, a Buffer for length-delimited and fixed-size fields. Throws on malformed input.
function decode(buf) {
  const fields = new Map();
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('decode: truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('decode: varint too long');
    }
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const num = Number(tag >> 3n);
    const wt = Number(tag & 7n);
    let value;
    if (wt === 0) {
      value = readVarint();
    } else if (wt === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error('decode: truncated bytes field ' + num);
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wt === 1 || wt === 5) {
      const len = wt === 1 ? 8 : 4;
      if (pos + len > buf.length) throw new Error('decode: truncated fixed field ' + num);
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else {
      throw new Error('decode: unsupported wire type ' + wt + ' for field ' + num);
    }
    if (!fields.has(num)) fields.set(num, []);
    fields.get(num).push({ wt, value });
  }
  return fields;
}

// Last value of a field (proto3 "last one wins"), or undefined.
function last(fields, num) {
  const list = fields.get(num);
  return list ? list[list.length - 1].value : undefined;
}

module.exports = { varint, fieldVarint, fieldBytes, decode, last };
