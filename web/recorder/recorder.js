// @recingest/recorder: record a MediaStream in the browser and upload it, while it records, to a
// recingest gateway (PROTOCOL.md, version 1). Every chunk goes to IndexedDB before it is sent and is
// deleted once the gateway acknowledged it, so a reload, a crash or time offline loses nothing.
// No dependencies, no build step: import this file as an ES module.

import { ChunkStore } from './chunk-store.js';
import { DEFAULTS, IngestSession, RecordingError } from './session.js';

export { RecordingError };

/** MediaRecorder types in order of preference: VP8/Opus WebM, H.264 in WebM, then MP4 where offered. */
export const MIME_TYPES = Object.freeze([
  'video/webm;codecs=vp8,opus',
  'video/webm;codecs=h264,opus',
  'video/webm;codecs=vp9,opus',
  'video/webm',
  'video/mp4;codecs=avc1,mp4a',
  'video/mp4',
]);
const AUDIO_MIME_TYPES = Object.freeze(['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4']);

/** Default IndexedDB budget: payload bytes of unacked chunks held for the whole origin. */
export const DEFAULT_STORAGE_BUDGET_BYTES = 512 * 1024 * 1024;

/**
 * The first type this browser's MediaRecorder supports for the stream (audio-only streams get audio types).
 * @param {MediaStream} [stream]
 * @returns {string | undefined}
 */
export function chooseMimeType(stream) {
  const audioOnly = stream && stream.getVideoTracks().length === 0;
  const supported = globalThis.MediaRecorder?.isTypeSupported?.bind(MediaRecorder) || (() => false);
  return (audioOnly ? AUDIO_MIME_TYPES : MIME_TYPES).find((t) => supported(t));
}

/** The WebSocket endpoint for a gateway address: `https://host` becomes `wss://host/v1/ingest`. */
export function ingestUrl(url) {
  const u = new URL(url, globalThis.location?.href);
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  }
  if (u.pathname === '/' || u.pathname === '') {
    u.pathname = '/v1/ingest';
  }
  return u.toString();
}

/** Holds a Web Lock per recording while a page uploads it, so two tabs never fight over one. */
function lockRecording(id) {
  if (!globalThis.navigator?.locks) {
    return Promise.resolve(() => {});
  }
  return new Promise((resolve) => {
    navigator.locks.request(`recingest:${id}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      return new Promise((release) => resolve(release));
    });
  });
}

/**
 * One recording being uploaded: events `progress`, `reconnecting`, `resumed`, `error`, `storagefull`,
 * `chunk`, `partstarted`, `stopped` (each an Event with the figures as properties, also as `detail`),
 * and `on<type>` handler properties like the platform's own objects.
 */
export class RecordingUpload extends EventTarget {
  /**
   * Connects, then records `stream` with a MediaRecorder, uploading every `timeslice` ms of it.
   * @param {import('./recorder').StartOptions} options
   * @returns {Promise<RecordingUpload>}
   */
  static async start(options) {
    const mimeType = options.mimeType || chooseMimeType(options.stream);
    if (!mimeType) {
      throw new RecordingError('UNSUPPORTED', 'this browser can record none of the supported media types');
    }
    const up = await RecordingUpload.open({ ...options, contentType: options.contentType || mimeType });
    up.#record(options.stream, mimeType, options);
    return up;
  }

  /**
   * Connects for a page that makes its own chunks: call `send(blob)` for each, then `stop()`.
   * @param {import('./recorder').OpenOptions} options
   * @returns {Promise<RecordingUpload>}
   */
  static async open(options) {
    const up = new RecordingUpload(options, await ChunkStore.open(options.databaseName));
    await up.#session.open();
    up.#release = await lockRecording(up.recordingId) || (() => {});
    await up.#store?.putRecording({ recordingId: up.recordingId, url: up.#session.o.url,
      contentType: options.contentType, mode: options.mode || 'stream', metadata: options.metadata,
      createdAt: new Date().toISOString() }).catch((e) => up.#storageFull(0, e));
    return up;
  }

  /**
   * Finds the recordings this origin left unfinished (a reload, a crash, a closed tab) and resumes
   * each one: its unacked chunks are uploaded. Recordings that another tab is uploading are skipped.
   * The returned uploads are connecting; `stop()` one to finish it, or `continueWith()` to go on.
   * @param {import('./recorder').RecoverOptions} options
   * @returns {Promise<RecordingUpload[]>}
   */
  static async recoverPending(options) {
    const store = await ChunkStore.open(options.databaseName);
    if (!store) {
      return [];
    }
    const found = [];
    for (const r of await store.recordings()) {
      const release = await lockRecording(r.recordingId);
      if (!release) {
        continue;
      }
      const up = new RecordingUpload({ ...options, url: options.url || r.url, recordingId: r.recordingId,
        contentType: r.contentType, mode: r.mode, metadata: r.metadata, recovered: true }, store);
      up.#release = release;
      for (const c of await store.chunksOf(r.recordingId)) {
        up.#session.addStored(c.seq, c.data);
      }
      up.ready = up.#session.open();
      up.ready.catch(() => {});
      found.push(up);
    }
    return found;
  }

  /**
   * What recoverPending would resume, without connecting: id, chunks and bytes not yet acked.
   * @returns {Promise<{recordingId: string, chunks: number, bytes: number, createdAt: string}[]>}
   */
  static async listPending(options = {}) {
    const store = await ChunkStore.open(options.databaseName);
    if (!store) {
      return [];
    }
    const list = [];
    for (const r of await store.recordings()) {
      const chunks = await store.chunksOf(r.recordingId);
      list.push({ recordingId: r.recordingId, chunks: chunks.length,
        bytes: chunks.reduce((sum, c) => sum + c.size, 0), createdAt: r.createdAt });
    }
    return list;
  }

  #session;
  #store;
  #budget;
  #release = () => {};
  #recorder = null;
  #overBudget = false;

  /** @private use start(), open() or recoverPending() */
  constructor(options, store) {
    super();
    this.#store = options.persist === false ? null : store;
    this.#budget = options.storageBudgetBytes ?? DEFAULT_STORAGE_BUDGET_BYTES;
    const o = { ...options, url: ingestUrl(options.url) };
    this.#session = new IngestSession(o, (type, detail) => this.#onSession(type, detail));
    /** Resolves once the gateway answered `started` (for recovered uploads). */
    this.ready = Promise.resolve();
  }

  get recordingId() { return this.#session.recordingId; }
  /** `connecting`, `recording`, `reconnecting`, `stopping`, `stopped` or `failed`. */
  get state() {
    const s = this.#session;
    switch (s.phase) {
      case 'new': case 'starting': return 'connecting';
      case 'open': return s.ready ? 'recording' : 'reconnecting';
      case 'stopping': case 'aborting': return s.ready || !s.startedOnce ? 'stopping' : 'reconnecting';
      case 'done': return 'stopped';
      default: return 'failed';
    }
  }
  get ackedChunks() { return this.#session.chunks.ackedChunks; }
  get ackedBytes() { return this.#session.chunks.ackedBytes; }
  get pendingChunks() { return this.#session.chunks.size; }
  get pendingBytes() { return this.#session.chunks.pendingBytes; }
  get reconnects() { return this.#session.totalReconnects; }
  /** Parts the gateway reports (undefined while it does not support parts). */
  get parts() { return this.#session.parts; }
  /** The MediaRecorder of the current part, if this upload records a stream. */
  get mediaRecorder() { return this.#recorder; }

  /**
   * Queues one chunk (stored in IndexedDB first, then sent); returns its seq.
   * @param {Blob} data
   */
  send(data) {
    if (!(data instanceof Blob)) {
      data = new Blob([data]);
    }
    if (data.size === 0) {
      return -1;
    }
    let markStored;
    const stored = new Promise((resolve) => { markStored = resolve; });
    const seq = this.#session.add(data, stored);
    // IndexedDB runs read-write transactions on one store in the order they were made: chunks stay in order.
    this.#persist(this.recordingId, seq, data).then((durable) => {
      markStored(durable);
      this.#dispatch('chunk', { seq, size: data.size, data, durable });
    });
    return seq;
  }

  /**
   * Stops the MediaRecorder (if any), waits until every chunk is acked and the gateway answered `stop`.
   * @returns {Promise<{recordingId: string, chunks: number, bytes: number}>}
   */
  async stop() {
    await this.#stopRecorder();
    await this.ready.catch(() => {});
    const result = await this.#session.stop();
    await this.#store?.deleteRecording(this.recordingId).catch(() => {});
    this.#release();
    this.#dispatch('stopped', result);
    return result;
  }

  /** Discards the recording on the gateway (its chunks are deleted) and here. */
  async abort() {
    await this.#stopRecorder();
    const result = await this.#session.abort();
    await this.#store?.deleteRecording(this.recordingId).catch(() => {});
    this.#release();
    return result;
  }

  /**
   * Goes on recording into the same recording as a new part (PROTOCOL.md, part): after every earlier
   * chunk is acked the gateway is told a new stream starts, then `stream` is recorded.
   * Rejects with code PARTS_UNSUPPORTED where the gateway does not support parts yet.
   * @param {MediaStream} stream
   * @param {{mimeType?: string, timeslice?: number, videoBitsPerSecond?: number, audioBitsPerSecond?: number}} [options]
   */
  async continueWith(stream, options = {}) {
    await this.ready;
    await this.#stopRecorder();
    const part = await this.startPart();
    this.#record(stream, options.mimeType || this.#session.o.contentType, options);
    return part;
  }

  /**
   * The low-level half of continueWith(), for pages that make their own chunks: the next chunk sent
   * starts a new part. Resolves with the gateway's `partStarted` once every earlier chunk was acked.
   * @returns {Promise<{part: number, firstSeq: number}>}
   */
  startPart() {
    // Synchronous once open: a chunk sent right after this call must already belong to the new part.
    return this.#session.phase === 'starting' ? this.ready.then(() => this.#session.newPart()) : this.#session.newPart();
  }

  /** Forgets this recording's chunks held in this browser (after a failure the page gave up on). */
  async discard() {
    this.#session.close();
    await this.#store?.deleteRecording(this.recordingId);
    this.#release();
  }

  #record(stream, mimeType, options) {
    const mr = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: options.videoBitsPerSecond,
      audioBitsPerSecond: options.audioBitsPerSecond });
    mr.ondataavailable = (e) => e.data.size > 0 && this.#session.phase !== 'failed' && this.send(e.data);
    mr.onerror = (e) => this.#dispatch('error', { code: 'MEDIA_RECORDER', message: String(e.error || e) });
    mr.start(options.timeslice ?? 1000);
    this.#recorder = mr;
  }

  /** Ends the current MediaRecorder; its last chunk is queued before this resolves. */
  #stopRecorder() {
    const mr = this.#recorder;
    this.#recorder = null;
    if (!mr || mr.state === 'inactive') {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      mr.addEventListener('stop', () => resolve(), { once: true });
      mr.stop();
    });
  }

  /** True once the chunk is in IndexedDB; false when it is held in memory only (no store, or full). */
  async #persist(id, seq, data) {
    const store = this.#store;
    if (!store) {
      return false;
    }
    if (store.usedBytes + data.size > this.#budget) {
      this.#storageFull(data.size);
      return false;
    }
    try {
      await store.putChunk(id, seq, data);
      this.#overBudget = false;
      return true;
    } catch (e) {
      this.#storageFull(data.size, e);
      return false;
    }
  }

  /** Past the budget (or a quota error) chunks are kept in memory and still uploaded; the page is told. */
  #storageFull(size, error) {
    if (!this.#overBudget) {
      this.#overBudget = true;
      this.#dispatch('storagefull', { usedBytes: this.#store?.usedBytes ?? 0, budgetBytes: this.#budget,
        chunkBytes: size, message: error ? String(error) : 'IndexedDB budget exceeded: chunks are held in memory only' });
    }
  }

  #onSession(type, detail) {
    if (type === 'ack') {
      this.#store?.deleteChunk(this.recordingId, detail.seq, detail.size).catch(() => {});
      this.#dispatch('progress', this.#figures());
      return;
    }
    this.#dispatch(type, detail);
    if (type === 'reconnecting' || type === 'resumed') {
      this.#dispatch('progress', this.#figures());
    }
  }

  #figures() {
    return { recordingId: this.recordingId, state: this.state, ackedChunks: this.ackedChunks,
      ackedBytes: this.ackedBytes, pendingChunks: this.pendingChunks, pendingBytes: this.pendingBytes,
      reconnects: this.reconnects };
  }

  #dispatch(type, detail) {
    const event = Object.assign(new Event(type), detail, { detail });
    this.dispatchEvent(event);
    const handler = this[`on${type}`];
    if (typeof handler === 'function') {
      handler.call(this, event);
    }
  }
}

/**
 * Uploads chunks a page made itself (Blobs, ArrayBuffers or typed arrays, from an array or an async
 * iterable) as one recording, and stops it.
 * @param {Iterable<BlobPart> | AsyncIterable<BlobPart>} chunks
 * @param {import('./recorder').OpenOptions} options
 */
export async function upload(chunks, options) {
  const up = await RecordingUpload.open(options);
  const limit = options.windowBytes ?? DEFAULTS.windowBytes;
  for await (const chunk of chunks) {
    up.send(chunk);
    // A producer faster than the network waits here rather than filling memory.
    while (up.pendingBytes > 2 * limit && up.state !== 'failed') {
      await new Promise((resolve) => {
        up.addEventListener('progress', resolve, { once: true });
        up.addEventListener('error', resolve, { once: true });
      });
    }
  }
  return up.stop();
}

export { DEFAULTS };
