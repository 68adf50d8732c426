// Protocol behaviour of the recorder module against a scripted gateway (fake-gateway.mjs), in Node:
// seqs, the window by count and bytes, bufferedAmount flow control, SEQ_GAP, INCOMPLETE, nacks, resume
// after a drop, fatal closes, a stop whose answer was lost, parts. The real gateway is in the Java
// browser tests (BrowserRecordingIT, BrowserFailoverIT).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingUpload, upload } from '../recorder.js';
import { backoffDelay } from '../session.js';
import { FakeGateway } from './fake-gateway.mjs';

const chunk = (n = 10) => new Blob([new Uint8Array(n)]);

/** Every upload a test opened: closed after it, so no watchdog timer outlives its test. */
const opened = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.then((r) => r.discard(), () => {})));
});

function open(gw, extra = {}) {
  return track(RecordingUpload.open({ url: 'ws://gateway.test/v1/ingest', token: 't', recordingId: 'rec-1',
    contentType: 'video/webm', WebSocket: gw.WebSocket, persist: false, backoffMs: 5, maxBackoffMs: 20, ...extra }));
}

function track(promise) {
  opened.push(promise);
  return promise;
}

function events(target, ...types) {
  const seen = [];
  for (const t of types) {
    target.addEventListener(t, (e) => seen.push({ type: t, ...e.detail }));
  }
  return seen;
}

test('chunks go out with dense explicit seqs; stop waits for every ack and sends lastSeq', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const ws = gw.last;
  assert.deepEqual(ws.sent[0], { type: 'start', recordingId: 'rec-1', contentType: 'video/webm', mode: 'stream', token: 't' });
  for (let i = 0; i < 5; i++) {
    assert.equal(rec.send(chunk()), i);
  }
  await ws.until(() => ws.chunkSeqs().length === 5);
  assert.deepEqual(ws.chunkSeqs(), [0, 1, 2, 3, 4]);
  assert.ok(ws.sent.filter((m) => m.type === 'chunk').every((m) => m.kind === 1 && m.size === 10));
  const stopping = rec.stop();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ws.sent.some((m) => m.type === 'stop'), false, 'no stop while chunks are unacked');
  for (let i = 0; i < 5; i++) {
    ws.ack(i, 10);
  }
  await ws.until((s) => s.some((m) => m.type === 'stop'));
  assert.deepEqual(ws.sent.at(-1), { type: 'stop', lastSeq: 4 });
  ws.reply({ type: 'stopped', recordingId: 'rec-1', chunks: 5, bytes: 50 });
  assert.deepEqual(await stopping, { recordingId: 'rec-1', chunks: 5, bytes: 50 });
  assert.equal(rec.ackedChunks, 5);
  assert.equal(rec.ackedBytes, 50);
});

test('the window holds at most windowChunks and windowBytes unacked', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw, { windowChunks: 2, windowBytes: 1000 });
  const ws = gw.last;
  for (let i = 0; i < 4; i++) {
    rec.send(chunk());
  }
  await ws.until(() => ws.chunkSeqs().length === 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ws.chunkSeqs(), [0, 1], 'two chunks in flight');
  ws.ack(0);
  await ws.until(() => ws.chunkSeqs().length === 3);
  assert.deepEqual(ws.chunkSeqs(), [0, 1, 2]);

  const gw2 = new FakeGateway();
  const rec2 = await open(gw2, { windowBytes: 250 });
  const ws2 = gw2.last;
  for (let i = 0; i < 4; i++) {
    rec2.send(chunk(100));
  }
  await ws2.until(() => ws2.chunkSeqs().length === 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ws2.chunkSeqs(), [0, 1], '200 of 250 bytes in flight; a third would pass the window');
  ws2.ack(0);
  await ws2.until(() => ws2.chunkSeqs().length === 3);
});

test('nothing is sent while the socket buffers more than maxBufferedBytes', async () => {
  const gw = new FakeGateway({ bufferedAmount: 5000 });
  const rec = await open(gw, { maxBufferedBytes: 1000 });
  const ws = gw.last;
  rec.send(chunk());
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(ws.chunkSeqs(), []);
  gw.bufferedAmount = 0;
  await ws.until(() => ws.chunkSeqs().length === 1);
});

test('SEQ_GAP resends from expected, once, however many chunks it answered', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const ws = gw.last;
  for (let i = 0; i < 4; i++) {
    rec.send(chunk());
  }
  await ws.until(() => ws.chunkSeqs().length === 4);
  ws.ack(0);
  for (const seq of [2, 3]) {
    ws.reply({ type: 'error', code: 'SEQ_GAP', seq, expected: 1, message: 'gap' });
  }
  await ws.until(() => ws.chunkSeqs().length === 7);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(ws.chunkSeqs(), [0, 1, 2, 3, 1, 2, 3], 'one resend from seq 1, not one per error');
  assert.equal(rec.state, 'recording');
});

test('a retryable nack resends the same seq after a backoff; a non-retryable one fails with its code', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const ws = gw.last;
  rec.send(chunk());
  await ws.until(() => ws.chunkSeqs().length === 1);
  ws.reply({ type: 'nack', seq: 0, code: 'STORAGE_UNAVAILABLE', retryable: true });
  await ws.until(() => ws.chunkSeqs().length === 2);
  assert.deepEqual(ws.chunkSeqs(), [0, 0]);

  const seen = events(rec, 'error');
  ws.reply({ type: 'nack', seq: 0, code: 'STORAGE_UNAVAILABLE', retryable: false });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(seen[0].code, 'STORAGE_UNAVAILABLE');
  assert.equal(rec.state, 'failed');
});

test('INCOMPLETE naming a chunk this page no longer holds fails with CANNOT_RESEND', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const ws = gw.last;
  rec.send(chunk());
  await ws.until(() => ws.chunkSeqs().length === 1);
  ws.ack(0);
  const stopping = rec.stop();
  await ws.until((s) => s.some((m) => m.type === 'stop'));
  ws.reply({ type: 'error', code: 'INCOMPLETE', missing: [0], message: 'missing' });
  await assert.rejects(stopping, (e) => e.code === 'CANNOT_RESEND');
});

test('after a dropped connection it reconnects and resends every unacked chunk in seq order', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const seen = events(rec, 'reconnecting', 'resumed');
  const first = gw.last;
  for (let i = 0; i < 4; i++) {
    rec.send(chunk());
  }
  await first.until(() => first.chunkSeqs().length === 4);
  first.ack(0);
  first.ack(2);
  await new Promise((r) => setTimeout(r, 10));
  gw.nextSeq = 3;
  first.drop(1006);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gw.sockets.length, 2);
  const second = gw.last;
  await second.until(() => second.chunkSeqs().length === 2);
  assert.deepEqual(second.sent[0].recordingId, 'rec-1');
  assert.deepEqual(second.chunkSeqs(), [1, 3], 'the unacked ones, in seq order');
  assert.equal(seen[0].type, 'reconnecting');
  assert.equal(seen[0].closeCode, 1006);
  assert.equal(seen[1].type, 'resumed');
  assert.equal(rec.send(chunk()), 4, 'new seqs go on after the held ones');
});

test('4401 ends the upload with an error event carrying the code, and no reconnect', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const seen = events(rec, 'error', 'reconnecting');
  gw.last.reply({ type: 'error', code: 'UNAUTHORIZED', message: 'invalid token' });
  gw.last.drop(4401, 'unauthorized');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(seen.map((e) => [e.type, e.code, e.closeCode]), [['error', 'UNAUTHORIZED', 4401]]);
  assert.equal(gw.sockets.length, 1);
  assert.equal(rec.state, 'failed');
});

test('a token that expires mid-recording (TOKEN_EXPIRED, 4401) is replaced from the token function and the upload resumes', async () => {
  const gw = new FakeGateway();
  let issued = 0;
  const rec = await open(gw, { token: async () => `token-${++issued}` });
  const seen = events(rec, 'error', 'reconnecting', 'resumed');
  const first = gw.last;
  assert.equal(first.sent[0].token, 'token-1');
  rec.send(chunk());
  rec.send(chunk());
  await first.until(() => first.chunkSeqs().length === 2);
  first.ack(0);
  gw.nextSeq = 2;
  first.reply({ type: 'error', code: 'TOKEN_EXPIRED', message: 'token expired; connect again with a fresh token' });
  await new Promise((r) => setTimeout(r, 5)); // the error arrives, then the close
  first.drop(4401, 'token expired');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gw.sockets.length, 2, 'connected again');
  const second = gw.last;
  assert.equal(second.sent[0].token, 'token-2', 'with a fresh token');
  await second.until(() => second.chunkSeqs().length === 1);
  assert.deepEqual(second.chunkSeqs(), [1], 'the unacked chunk again');
  assert.deepEqual(seen.map((e) => e.type), ['reconnecting', 'resumed']);
  assert.equal(seen[0].closeCode, 4401);
});

test('with a fixed token, TOKEN_EXPIRED ends the upload: there is no fresh token to resume with', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const seen = events(rec, 'error', 'reconnecting');
  gw.last.reply({ type: 'error', code: 'TOKEN_EXPIRED', message: 'token expired' });
  await new Promise((r) => setTimeout(r, 5));
  gw.last.drop(4401, 'token expired');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(seen.map((e) => [e.type, e.code, e.closeCode]), [['error', 'TOKEN_EXPIRED', 4401]]);
  assert.equal(rec.state, 'failed');
});

test('a start refused with 4403 rejects open() with FORBIDDEN', async () => {
  const gw = new FakeGateway({ autoStart: false });
  const opening = open(gw);
  await new Promise((r) => setTimeout(r, 20));
  gw.last.reply({ type: 'error', code: 'FORBIDDEN', message: 'token does not cover rec-1' });
  gw.last.drop(4403);
  await assert.rejects(opening, (e) => e.code === 'FORBIDDEN' && e.closeCode === 4403);
  assert.equal(gw.sockets.length, 1);
});

test('a stop whose answer was lost with the connection is recognised from NOT_OPEN on the resume', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  const first = gw.last;
  const stopping = rec.stop();
  await first.until((s) => s.some((m) => m.type === 'stop'));
  gw.autoStart = false;
  first.drop(1006);
  await new Promise((r) => setTimeout(r, 100));
  const second = gw.last;
  await second.until((s) => s.some((m) => m.type === 'start'));
  second.reply({ type: 'error', code: 'NOT_OPEN', state: 'STOPPED', message: 'not open' });
  assert.deepEqual(await stopping, { recordingId: 'rec-1', chunks: 0, bytes: 0 });
});

test('no part is sent to a gateway whose started says nothing about parts', async () => {
  const gw = new FakeGateway();
  const rec = await open(gw);
  await assert.rejects(rec.startPart(), (e) => e.code === 'PARTS_UNSUPPORTED');
  assert.equal(gw.last.sent.some((m) => m.type === 'part'), false);
  assert.equal(rec.state, 'recording');
});

test('a part goes out only once the previous part is acked; chunks after it wait for partStarted', async () => {
  const gw = new FakeGateway({ parts: 1 });
  const rec = await open(gw);
  const ws = gw.last;
  rec.send(chunk());
  await ws.until(() => ws.chunkSeqs().length === 1);
  const part = rec.startPart();
  rec.send(chunk()); // the new part's first chunk (its container header, in stream mode)
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(ws.sent.filter((m) => m.type !== 'start').map((m) => m.type), ['chunk'], 'nothing before seq 0 is acked');
  ws.ack(0);
  await ws.until((s) => s.some((m) => m.type === 'part'));
  assert.deepEqual(ws.chunkSeqs(), [0], 'the new part waits for partStarted');
  ws.reply({ type: 'partStarted', part: 1, firstSeq: 1 });
  assert.deepEqual(await part, { part: 1, firstSeq: 1 });
  await ws.until(() => ws.chunkSeqs().length === 2);
  assert.deepEqual(ws.chunkSeqs(), [0, 1]);
  assert.equal(rec.parts, 2);
});

test('a part whose answer was lost is recognised from started.parts on the resume, not sent twice', async () => {
  const gw = new FakeGateway({ parts: 1 });
  const rec = await open(gw);
  const first = gw.last;
  const part = rec.startPart();
  await first.until((s) => s.some((m) => m.type === 'part'));
  gw.parts = 2;
  first.drop(1006);
  assert.deepEqual(await part, { part: 1, firstSeq: 0 });
  assert.equal(gw.last.sent.some((m) => m.type === 'part'), false);

  const gw2 = new FakeGateway({ parts: 1 });
  const rec2 = await open(gw2);
  const part2 = rec2.startPart();
  await gw2.last.until((s) => s.some((m) => m.type === 'part'));
  gw2.last.drop(1006); // the part did not go through (parts still 1): asked again on the new connection
  await new Promise((r) => setTimeout(r, 100));
  await gw2.last.until((s) => s.some((m) => m.type === 'part'));
  gw2.last.reply({ type: 'partStarted', part: 1, firstSeq: 0 });
  assert.deepEqual(await part2, { part: 1, firstSeq: 0 });
});

test('backoff is full jitter: uniform between 0 and the capped exponential delay', () => {
  for (let attempt = 1; attempt < 12; attempt++) {
    const cap = Math.min(15000, 500 * 2 ** (attempt - 1));
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, 500, 15000);
      assert.ok(d >= 0 && d <= cap, `${d} within [0, ${cap}]`);
    }
  }
});

test('upload() sends every chunk and stops', async () => {
  const gw = new FakeGateway();
  const done = upload([chunk(), chunk(), chunk()], { url: 'ws://gateway.test/v1/ingest', token: 't', recordingId: 'rec-2',
    contentType: 'video/mp2t', mode: 'segments', WebSocket: gw.WebSocket, persist: false });
  await new Promise((r) => setTimeout(r, 20));
  const ws = gw.last;
  await ws.until(() => ws.chunkSeqs().length === 3);
  [0, 1, 2].forEach((s) => ws.ack(s, 10));
  await ws.until((s) => s.some((m) => m.type === 'stop'));
  ws.reply({ type: 'stopped', recordingId: 'rec-2', chunks: 3, bytes: 30 });
  assert.deepEqual(await done, { recordingId: 'rec-2', chunks: 3, bytes: 30 });
  assert.equal(ws.sent[0].mode, 'segments');
});
