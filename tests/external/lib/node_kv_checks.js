'use strict';
// The KV checks of the immudb-node compatibility driver (immudb_node_test.js): plain calls on any
// database, verified calls on a header-v0 database, and state signatures. Every function takes the
// driver's context `ctx` (step/attempt/check helpers, options, SDK factories) and the client.
const path = require('path');
const fs = require('fs');
const crypto = require('crypto');

// ---------------------------------------------------------------- plain (non-verified) calls
// Runs set/get/setAll/getAll/history/scan/count/zAdd/zScan/setReference/txById/currentState on
// the client's current database. Returns the id of the last tx written.
async function plainCalls(ctx, client, rawClient, label, headerVersion) {
  const { step, check, safeJson, opts, grpc, raw, authMetadata, sha, b64, enc, hex } = ctx;
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
async function verifiedCalls(ctx, client, label, startTx) {
  const { step, check, safeJson, newClient, opts, b64, enc } = ctx;
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
async function verifiedExtended(ctx, client, label, startTx) {
  const { step, attempt, check, safeJson, describe, newClient, opts, grpc, raw, authMetadata, sdkErrors } = ctx;
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
async function signatureChecks(ctx, client, rawClient, label, stateName) {
  const { step, check, safeJson, opts, grpc, raw, authMetadata } = ctx;
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

module.exports = { plainCalls, verifiedCalls, verifiedExtended, signatureChecks };
