// The protocol state machine behind a RecordingUpload (PROTOCOL.md, version 1): one recording across
// one or more WebSocket connections. The same rules as the Java client (client/…/Session, ChunkFlow):
// explicit seqs, a window of unacked bytes and chunks, resend of everything unacked after a resume on
// any gateway, SEQ_GAP / INCOMPLETE / nack handling, and stop only once every chunk is acked.
// Everything about individual chunks (window, resends, gaps) lives in ChunkFlow (chunk-flow.js).
// Past 400 lines on purpose, like the Java Session: the phases, the replies that move between them and
// the reconnect rules are one state machine, easier to check read whole.

import { ChunkFlow } from './chunk-flow.js';

/** Close codes after which a client reconnects and resumes: drain, broken link, internal error, and
 * the idle timeout (a tab the OS froze missed the gateway's pings; its recording is still open). */
const RESUMABLE = new Set([1001, 1006, 1011, 4408]);
/** Error codes the gateway follows with a close, and that close's code. */
const CLOSING = { BAD_REQUEST: 4400, UNAUTHORIZED: 4401, TOKEN_EXPIRED: 4401, FORBIDDEN: 4403, NOT_OPEN: 4409,
  TAKEN_OVER: 4409, FRAME_TOO_BIG: 1009, RATE_LIMITED: 4429, START_TIMEOUT: 4408, INTERNAL: 1011 };
const CLOSE_NAMES = { 1000: 'CLOSED', 1009: 'FRAME_TOO_BIG', 4400: 'BAD_REQUEST', 4401: 'UNAUTHORIZED',
  4403: 'FORBIDDEN', 4409: 'NOT_OPEN', 4429: 'RATE_LIMITED' };
/** States in which NOT_OPEN after a stop we sent means that stop went through (its answer was lost). */
const STOPPED_STATES = new Set(['STOPPED', 'MERGING', 'COMPLETED', 'FAILED']);
/** How long an error that announces a close waits for that close before the session fails anyway. */
const CLOSE_WAIT_MS = 2000;

export const DEFAULTS = Object.freeze({
  windowBytes: 8 * 1024 * 1024,
  windowChunks: 64,
  maxBufferedBytes: 1024 * 1024,
  connectTimeoutMs: 10000,
  ackTimeoutMs: 60000,
  backoffMs: 500,
  maxBackoffMs: 15000,
  reconnectAttempts: Infinity,
  maxResendAttempts: 8,
});

/** An error with the protocol's code (`UNAUTHORIZED`, `SEQ_GAP`, …) and the close code, if any. */
export class RecordingError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{closeCode?: number, state?: string, missing?: number[]}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'RecordingError';
    this.code = code;
    this.closeCode = extra.closeCode;
    this.state = extra.state;
    this.missing = extra.missing;
  }
}

/** Full jitter: a random delay between 0 and the capped exponential backoff of this attempt. */
export function backoffDelay(attempt, baseMs, capMs) {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 20));
}

export class IngestSession {
  /**
   * @param {object} o url, token, recordingId, contentType, mode, metadata and the DEFAULTS
   * @param {(type: string, detail: object) => void} emit
   */
  constructor(o, emit) {
    this.o = { ...DEFAULTS, ...o };
    this.emit = emit;
    this.WebSocket = this.o.WebSocket || globalThis.WebSocket;
    /** new → starting → open → stopping / aborting → done, or failed. */
    this.phase = 'new';
    this.recordingId = o.recordingId || null;
    /** Whether a connection was ever answered `started` (or the recording is a recovered one). */
    this.resumable = !!o.recovered;
    this.chunks = new ChunkFlow(this.o);
    this.nextSeq = 0;
    this.reconnects = 0;
    this.totalReconnects = 0;
    /** Parts the gateway reports in `started`; undefined while it says nothing about parts. */
    this.parts = undefined;
    this.ws = null;
    this.ready = false;
    this.replyAwaited = false;
    this.lastHeard = Date.now();
    this.closingError = null;
    this.stopSent = false;
    this.stopEverSent = false;
    this.stopRounds = 0;
    this.retryRounds = 0;
    /** @type {null | {resolve: Function, reject: Function, sent: boolean, partsBefore: number, firstSeq: number}} */
    this.partRequest = null;
    this.waiters = { open: null, stop: null, abort: null };
    this.timers = new Set();
    this.onOnline = () => this.#reconnectNow();
    this.onOffline = () => this.ws && this.#lost(this.ws, 1006, 'the browser went offline');
  }

  // ---- commands ----

  /** Connects and resolves with the first `started`. */
  open() {
    this.phase = 'starting';
    this.watchdog = setInterval(() => this.#watch(), 1000);
    if (typeof addEventListener === 'function') {
      addEventListener('online', this.onOnline);
      addEventListener('offline', this.onOffline);
    }
    const p = this.#waiter('open');
    this.#connect();
    return p;
  }

  /** Takes the next chunk: seq assigned now, sent once `stored` (persisted, or given up on) resolves. */
  add(data, stored) {
    if (this.phase !== 'starting' && this.phase !== 'open') {
      throw new RecordingError('NOT_OPEN', `no chunks after stop() or abort() (phase ${this.phase})`);
    }
    const seq = this.nextSeq++;
    this.chunks.hold(seq, data, false, !!this.partRequest);
    stored.finally(() => this.chunks.markStored(seq) && this.#pump());
    return seq;
  }

  /** A chunk of a recovered recording, already persisted; must come in seq order, before open(). */
  addStored(seq, data) {
    this.chunks.hold(seq, data, true, false);
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
  }

  /** Resolves with `stopped` once every chunk is acked and the gateway stopped the recording. */
  stop() {
    if (this.phase !== 'open' && this.phase !== 'starting') {
      return Promise.reject(this.failure || new RecordingError('NOT_OPEN', `cannot stop in phase ${this.phase}`));
    }
    this.phase = 'stopping';
    const p = this.#waiter('stop');
    this.#maybeSendControl();
    return p;
  }

  abort() {
    if (this.phase === 'done' || this.phase === 'failed' || this.stopSent) {
      return Promise.reject(this.failure || new RecordingError('NOT_OPEN', `cannot abort in phase ${this.phase}`));
    }
    this.waiters.stop?.reject(new RecordingError('ABORTED', 'recording aborted by the client'));
    this.phase = 'aborting';
    const p = this.#waiter('abort');
    if (this.ready) {
      this.#sendText({ type: 'abort' });
      this.replyAwaited = true;
    }
    return p;
  }

  /**
   * Starts a new part (PROTOCOL.md, part): sent once nothing of the current part is unacked; chunks
   * added meanwhile belong to the new part and wait for `partStarted`.
   */
  newPart() {
    if (this.parts === undefined) {
      return Promise.reject(new RecordingError('PARTS_UNSUPPORTED',
        'this gateway does not support parts yet (its "started" reports no "parts")'));
    }
    if (this.partRequest || (this.phase !== 'open')) {
      return Promise.reject(new RecordingError('BAD_REQUEST', 'a part is already being started, or the recording is not open'));
    }
    return new Promise((resolve, reject) => {
      this.partRequest = { resolve, reject, sent: false, partsBefore: this.parts, firstSeq: -1 };
      this.#maybeSendControl();
    });
  }

  /** Gives up locally (closes the connection) without stopping the recording on the gateway. */
  close() {
    this.#fail(new RecordingError('CLOSED', 'closed by the page'), false);
  }

  // ---- connections ----

  async #connect() {
    let token;
    try {
      token = typeof this.o.token === 'function' ? await this.o.token(this.recordingId) : this.o.token;
    } catch (e) {
      this.#fail(new RecordingError('UNAUTHORIZED', `the token function failed: ${e}`));
      return;
    }
    if (this.phase === 'done' || this.phase === 'failed') {
      return;
    }
    const ws = new this.WebSocket(this.o.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.ready = false;
    this.lastHeard = Date.now();
    const timeout = this.#later(() => ws.readyState === 0 && this.#lost(ws, 1006, 'connect timeout'),
      this.o.connectTimeoutMs);
    ws.onopen = () => {
      this.#cancel(timeout);
      if (this.ws !== ws) {
        return;
      }
      this.#sendText({ type: 'start', recordingId: this.recordingId || undefined, contentType: this.o.contentType,
        mode: this.o.mode || 'stream', token: token || undefined, metadata: this.o.metadata });
      this.replyAwaited = true;
      this.lastHeard = Date.now();
    };
    ws.onmessage = (ev) => this.ws === ws && typeof ev.data === 'string' && this.#onText(ev.data);
    ws.onclose = (ev) => {
      this.#cancel(timeout);
      this.#lost(ws, ev.code, ev.reason);
    };
  }

  /** The connection ended (closed, broken, or given up on by us): resume or fail. */
  #lost(ws, code, reason) {
    if (this.ws !== ws) {
      return;
    }
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (ws.readyState < 2) {
      ws.close();
    }
    this.ws = null;
    this.ready = false;
    this.stopSent = false;
    this.replyAwaited = false;
    this.chunks.connectionLost();
    if (this.phase === 'done' || this.phase === 'failed') {
      this.#finish();
      return;
    }
    const announced = this.closingError;
    this.closingError = null;
    // A token that expired mid-recording is not a bad token: with a token function there is a fresh one to
    // resume with (the gateway closes such a connection with TOKEN_EXPIRED and 4401 once its chunks are acked).
    const expired = code === 4401 && announced?.code === 'TOKEN_EXPIRED' && typeof this.o.token === 'function';
    if ((RESUMABLE.has(code) || expired) && this.resumable) {
      this.#scheduleReconnect(code, reason);
      return;
    }
    const errorCode = announced?.code || CLOSE_NAMES[code] || 'CONNECTION_FAILED';
    this.#fail(new RecordingError(errorCode, announced?.message || `connection closed with ${code}${reason ? ` (${reason})` : ''}`,
      { closeCode: code, state: announced?.state }));
  }

  #scheduleReconnect(code, reason) {
    if (++this.reconnects > this.o.reconnectAttempts) {
      this.#fail(new RecordingError('CONNECTION_FAILED', `gave up after ${this.o.reconnectAttempts} reconnects (last close ${code})`,
        { closeCode: code }));
      return;
    }
    this.totalReconnects++;
    const delayMs = Math.round(backoffDelay(this.reconnects, this.o.backoffMs, this.o.maxBackoffMs));
    this.emit('reconnecting', { attempt: this.reconnects, delayMs, closeCode: code, reason });
    this.reconnectTimer = this.#later(() => {
      this.reconnectTimer = null;
      if (!this.ws && this.phase !== 'done' && this.phase !== 'failed') {
        this.#connect();
      }
    }, delayMs);
  }

  /** Back online: try at once rather than after the rest of the backoff. */
  #reconnectNow() {
    if (this.reconnectTimer && !this.ws) {
      this.#cancel(this.reconnectTimer);
      this.reconnectTimer = null;
      this.#connect();
    }
  }

  // ---- messages ----

  #onText(text) {
    this.lastHeard = Date.now();
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (this.phase === 'failed') {
      return;
    }
    switch (m.type) {
      case 'started': this.#onStarted(m); break;
      case 'ack': this.#onAck(m); break;
      case 'nack': this.#onNack(m); break;
      case 'error': this.#onError(m); break;
      case 'partStarted': this.#onPartStarted(m); break;
      case 'stopped':
        this.#done('stop', { recordingId: m.recordingId, chunks: m.chunks, bytes: m.bytes });
        break;
      case 'aborted':
        this.#done('abort', { recordingId: m.recordingId });
        break;
      default:
        break;
    }
  }

  #onStarted(m) {
    const first = !this.startedOnce;
    this.startedOnce = true;
    this.replyAwaited = false;
    this.ready = true;
    this.reconnects = 0;
    this.retryRounds = 0;
    this.resumable = true;
    this.recordingId = m.recordingId;
    this.parts = typeof m.parts === 'number' ? m.parts : undefined;
    // A recording that already had chunks (recovered, or opened again by id): new seqs go after them.
    this.nextSeq = Math.max(this.nextSeq, m.nextSeq);
    if (this.phase === 'starting') {
      this.phase = 'open';
    }
    if (first) {
      this.#settle('open', m);
    } else {
      this.emit('resumed', { nextSeq: m.nextSeq, resent: this.chunks.size, parts: this.parts });
    }
    const part = this.partRequest;
    if (part?.sent) {
      if (this.parts !== undefined && this.parts > part.partsBefore) {
        // The part went through before the connection broke; its answer was lost.
        this.#onPartStarted({ part: this.parts - 1, firstSeq: part.firstSeq });
      } else {
        part.sent = false;
      }
    }
    if (this.phase === 'aborting') {
      this.#sendText({ type: 'abort' });
      this.replyAwaited = true;
      return;
    }
    this.#pump();
    this.#maybeSendControl();
  }

  #onAck(m) {
    const p = this.chunks.ack(m.seq);
    if (!p) {
      return; // the second ack of a chunk that was resent
    }
    this.emit('ack', { seq: p.seq, size: p.size });
    this.#pump();
    this.#maybeSendControl();
  }

  #onNack(m) {
    const p = this.chunks.get(m.seq);
    if (!p) {
      return;
    }
    p.unanswered.shift();
    if (!m.retryable || ++p.nacks > this.o.maxResendAttempts) {
      this.#fail(new RecordingError(m.code || 'STORAGE_UNAVAILABLE',
        `chunk ${m.seq} could not be stored (${p.nacks} nacks): ${m.message || ''}`));
      return;
    }
    const ws = this.ws;
    this.#later(() => {
      if (this.ws === ws && this.ready && this.chunks.get(p.seq) === p && p.sent) {
        this.chunks.transmit(ws, p); // still counted in flight: the window does not change
      }
    }, backoffDelay(p.nacks, this.o.backoffMs, this.o.maxBackoffMs));
  }

  #onError(m) {
    const code = m.code;
    if (code === 'SEQ_GAP') {
      this.#onGap(m);
    } else if (code === 'INCOMPLETE' && this.phase === 'stopping') {
      this.stopSent = false;
      this.replyAwaited = false;
      if (++this.stopRounds > this.o.maxResendAttempts) {
        this.#fail(new RecordingError(code, m.message || 'stop answered INCOMPLETE too often', { missing: m.missing }));
        return;
      }
      for (const seq of m.missing || []) {
        const p = this.chunks.get(seq);
        if (!p) {
          this.#fail(new RecordingError('CANNOT_RESEND', `the gateway misses seq ${seq}, which this page no longer holds`,
            { missing: m.missing }));
          return;
        }
        this.chunks.transmit(this.ws, p);
      }
      this.#maybeSendControl();
    } else if (code === 'NOT_OPEN' && this.phase === 'stopping' && this.stopEverSent && this.chunks.size === 0
        && STOPPED_STATES.has(m.state)) {
      this.#done('stop', { recordingId: this.recordingId, chunks: this.chunks.ackedChunks, bytes: this.chunks.ackedBytes });
    } else if (code === 'NOT_OPEN' && this.phase === 'aborting' && m.state === 'ABORTED') {
      this.#done('abort', { recordingId: this.recordingId });
    } else if (code === 'STORAGE_UNAVAILABLE') {
      // Answering start or stop: the connection stays open; ask again after a pause.
      const ws = this.ws;
      const round = ++this.retryRounds;
      if (round > this.o.maxResendAttempts) {
        this.#fail(new RecordingError(code, m.message || 'storage unavailable'));
        return;
      }
      this.stopSent = false;
      this.replyAwaited = false;
      this.#later(() => {
        if (this.ws !== ws || !ws) {
          return;
        }
        if (!this.ready) {
          ws.onopen?.(); // start again on the same connection
        } else {
          this.#maybeSendControl();
        }
      }, backoffDelay(round, this.o.backoffMs, this.o.maxBackoffMs));
    } else {
      // Every other error announces a close (or is fatal): remember it so the close carries its code.
      this.closingError = m;
      const ws = this.ws;
      this.#later(() => this.ws === ws && ws && this.#lost(ws, CLOSING[code] || 4400, m.message), CLOSE_WAIT_MS);
    }
  }

  /**
   * A chunk arrived ahead of `expected`. Every chunk sent after the missing one draws the same error, so
   * a resend starts only for an error that answers a send made before the last gap resend began, for a
   * point that resend does not cover (as the Java client's ChunkFlow.onGap).
   */
  #onGap(m) {
    if (typeof m.expected !== 'number') {
      this.#fail(new RecordingError('SEQ_GAP', m.message || 'SEQ_GAP without expected'));
    } else if (!this.chunks.gap(m.seq, m.expected)) {
      this.#fail(new RecordingError('CANNOT_RESEND', `the gateway expects seq ${m.expected}, which this page does not hold`));
    } else {
      this.#pump();
    }
  }

  #onPartStarted(m) {
    const part = this.partRequest;
    if (!part) {
      return;
    }
    this.replyAwaited = false;
    this.partRequest = null;
    this.parts = m.part + 1;
    this.chunks.partStarted();
    part.resolve({ part: m.part, firstSeq: m.firstSeq });
    this.emit('partstarted', { part: m.part, firstSeq: m.firstSeq });
    this.#pump();
  }

  #pump() {
    if (this.ready && this.ws) {
      this.chunks.pump(this.ws, () => {
        this.bufferPoll ??= this.#later(() => {
          this.bufferPoll = null;
          this.#pump();
        }, 50);
      });
    }
  }

  /** Sends the part or stop request that waits for every earlier chunk to be acked. */
  #maybeSendControl() {
    if (!this.ready || this.stopSent) {
      return;
    }
    const part = this.partRequest;
    if (part && !part.sent && !this.chunks.unackedBeforePart()) {
      part.sent = true;
      part.firstSeq = this.nextSeq - this.chunks.heldForPart();
      this.#sendText({ type: 'part' });
      this.replyAwaited = true;
      return;
    }
    if (this.phase === 'stopping' && !part && this.chunks.size === 0) {
      this.stopSent = true;
      this.stopEverSent = true;
      this.#sendText({ type: 'stop', lastSeq: this.nextSeq > 0 ? this.nextSeq - 1 : undefined });
      this.replyAwaited = true;
    }
  }

  #sendText(message) {
    this.ws.send(JSON.stringify(message));
  }

  // ---- watchdog, failure, bookkeeping ----

  /** A gateway silent while an answer is due is treated as a broken connection (then resumed). */
  #watch() {
    const waiting = this.ws && (this.replyAwaited || this.chunks.inflightChunks > 0);
    if (!waiting) {
      this.lastHeard = Date.now();
    } else if (Date.now() - this.lastHeard > this.o.ackTimeoutMs) {
      this.#lost(this.ws, 1006, `no answer from the gateway for ${this.o.ackTimeoutMs} ms`);
    }
  }

  /** Gives up: every waiting promise is rejected; held chunks stay in the page's store for later. */
  #fail(error, announce = true) {
    if (this.phase === 'done' || this.phase === 'failed') {
      return;
    }
    this.phase = 'failed';
    this.failure = error;
    for (const name of Object.keys(this.waiters)) {
      this.#settle(name, undefined, error);
    }
    this.partRequest?.reject(error);
    this.partRequest = null;
    if (announce) {
      this.emit('error', { error, code: error.code, message: error.message, closeCode: error.closeCode });
    }
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close(1000, `client gave up: ${error.code}`);
    }
    this.#finish();
  }

  /** The recording stopped (or was aborted): nothing more to watch; the gateway closes the connection. */
  #done(waiter, value) {
    this.replyAwaited = false;
    this.phase = 'done';
    this.#settle(waiter, value);
    this.#finish();
  }

  #finish() {
    clearInterval(this.watchdog);
    for (const t of this.timers) {
      clearTimeout(t);
    }
    this.timers.clear();
    if (typeof removeEventListener === 'function') {
      removeEventListener('online', this.onOnline);
      removeEventListener('offline', this.onOffline);
    }
  }

  #waiter(name) {
    return new Promise((resolve, reject) => {
      this.waiters[name] = { resolve, reject };
    });
  }

  #settle(name, value, error) {
    const w = this.waiters[name];
    this.waiters[name] = null;
    if (w) {
      error ? w.reject(error) : w.resolve(value);
    }
  }

  #later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  #cancel(t) {
    clearTimeout(t);
    this.timers.delete(t);
  }
}
