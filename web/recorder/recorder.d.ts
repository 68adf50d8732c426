// Types of @recingest/recorder (recorder.js). The protocol is recingest's PROTOCOL.md, version 1.

/** A token, or a function that returns one (called before every connection, so it may refresh). */
export type TokenSource = string | ((recordingId: string | null) => string | Promise<string>);

export interface ConnectionOptions {
  /** The gateway: `wss://host/v1/ingest`, or `https://host` (the path is added), or a relative URL. */
  url: string;
  /** A recorder token (JWT with `rec` or `rec_prefix`), sent in the `start` message. */
  token: TokenSource;
  /** Unacked bytes in flight before sending pauses; keep it at or below the gateway's window. Default 8 MiB. */
  windowBytes?: number;
  /** Unacked chunks in flight before sending pauses. Default 64. */
  windowChunks?: number;
  /** Sending pauses while the socket's `bufferedAmount` is above this. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Connect and upgrade. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** A gateway silent this long while an answer is due counts as a dropped connection. Default 60 000 ms. */
  ackTimeoutMs?: number;
  /** Reconnect delays: full jitter, random up to min(maxBackoffMs, backoffMs × 2^attempt). Defaults 500 / 15 000 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Reconnects in a row before giving up. Default Infinity (chunks wait in IndexedDB meanwhile). */
  reconnectAttempts?: number;
  /** Resends of one chunk after retryable nacks, and stop rounds after INCOMPLETE. Default 8. */
  maxResendAttempts?: number;
  /** Payload bytes of unacked chunks this origin may keep in IndexedDB. Default 512 MiB. */
  storageBudgetBytes?: number;
  /** false: keep chunks in memory only (nothing survives a reload). Default true where IndexedDB exists. */
  persist?: boolean;
  /** IndexedDB database name. Default 'recingest-recorder'. */
  databaseName?: string;
  /** The WebSocket constructor to use (tests, polyfills). Default globalThis.WebSocket. */
  WebSocket?: typeof WebSocket;
}

export interface OpenOptions extends ConnectionOptions {
  /** `^[A-Za-z0-9_-]{1,128}$`; absent: the gateway picks one (see `recordingId` once started). */
  recordingId?: string;
  /** MIME type of the media, e.g. `video/webm;codecs=vp8,opus`. */
  contentType: string;
  /** `stream` (MediaRecorder: consecutive byte ranges) or `segments` (each chunk a whole file). Default `stream`. */
  mode?: 'stream' | 'segments';
  /** At most 4 KiB of JSON, stored with the recording and echoed in webhooks. */
  metadata?: Record<string, unknown>;
}

export interface StartOptions extends Omit<OpenOptions, 'contentType'> {
  stream: MediaStream;
  /** Default: the first of MIME_TYPES that MediaRecorder.isTypeSupported accepts. */
  mimeType?: string;
  contentType?: string;
  /** Milliseconds of media per chunk. Default 1000. */
  timeslice?: number;
  videoBitsPerSecond?: number;
  audioBitsPerSecond?: number;
}

export interface RecoverOptions extends Partial<ConnectionOptions> {
  token: TokenSource;
}

export interface Figures {
  recordingId: string | null;
  state: RecordingState;
  ackedChunks: number;
  ackedBytes: number;
  pendingChunks: number;
  pendingBytes: number;
  reconnects: number;
}

export type RecordingState = 'connecting' | 'recording' | 'reconnecting' | 'stopping' | 'stopped' | 'failed';

export interface StopResult {
  recordingId: string;
  chunks: number;
  bytes: number;
}

export interface PartStarted {
  part: number;
  firstSeq: number;
}

/** Every event carries its figures as properties and, the same object, as `detail`. */
export type RecordingEvent<T> = Event & T & { detail: T };

export interface RecordingEventMap {
  progress: RecordingEvent<Figures>;
  reconnecting: RecordingEvent<{ attempt: number; delayMs: number; closeCode: number; reason: string }>;
  resumed: RecordingEvent<{ nextSeq: number; resent: number; parts?: number }>;
  error: RecordingEvent<{ code: string; message: string; closeCode?: number; error?: RecordingError }>;
  storagefull: RecordingEvent<{ usedBytes: number; budgetBytes: number; chunkBytes: number; message: string }>;
  chunk: RecordingEvent<{ seq: number; size: number; data: Blob; durable: boolean }>;
  partstarted: RecordingEvent<PartStarted>;
  stopped: RecordingEvent<StopResult>;
}

/** A failure with the protocol's code (UNAUTHORIZED, FORBIDDEN, NOT_OPEN, STORAGE_UNAVAILABLE, …). */
export class RecordingError extends Error {
  readonly code: string;
  readonly closeCode?: number;
  readonly state?: string;
  readonly missing?: number[];
}

export class RecordingUpload extends EventTarget {
  /** Connects, then records `stream` with a MediaRecorder, uploading every `timeslice` ms of it. */
  static start(options: StartOptions): Promise<RecordingUpload>;
  /** Connects for a page that makes its own chunks: `send()` each, then `stop()`. */
  static open(options: OpenOptions): Promise<RecordingUpload>;
  /** Resumes every recording this origin left unfinished; uploads what was not acked. */
  static recoverPending(options: RecoverOptions): Promise<RecordingUpload[]>;
  /** What recoverPending would resume, without connecting. */
  static listPending(options?: { databaseName?: string }): Promise<{ recordingId: string; chunks: number; bytes: number; createdAt: string }[]>;

  readonly recordingId: string | null;
  readonly state: RecordingState;
  readonly ackedChunks: number;
  readonly ackedBytes: number;
  readonly pendingChunks: number;
  readonly pendingBytes: number;
  readonly reconnects: number;
  /** Parts the gateway reports; undefined while the gateway does not support parts. */
  readonly parts: number | undefined;
  readonly mediaRecorder: MediaRecorder | null;
  /** Resolves once the gateway answered `started` (recovered uploads connect in the background). */
  readonly ready: Promise<unknown>;

  onprogress: ((ev: RecordingEventMap['progress']) => void) | null;
  onreconnecting: ((ev: RecordingEventMap['reconnecting']) => void) | null;
  onresumed: ((ev: RecordingEventMap['resumed']) => void) | null;
  onerror: ((ev: RecordingEventMap['error']) => void) | null;
  onstoragefull: ((ev: RecordingEventMap['storagefull']) => void) | null;
  onchunk: ((ev: RecordingEventMap['chunk']) => void) | null;
  onpartstarted: ((ev: RecordingEventMap['partstarted']) => void) | null;
  onstopped: ((ev: RecordingEventMap['stopped']) => void) | null;

  /** Queues one chunk (IndexedDB first, then the network); returns its seq. */
  send(data: Blob | BufferSource): number;
  /** Stops the MediaRecorder, waits until every chunk is acked and the gateway answered `stopped`. */
  stop(): Promise<StopResult>;
  /** Discards the recording on the gateway (its chunks are deleted) and in this browser. */
  abort(): Promise<{ recordingId: string }>;
  /** Records `stream` into the same recording as a new part. Rejects PARTS_UNSUPPORTED on a gateway without parts. */
  continueWith(stream: MediaStream, options?: { mimeType?: string; timeslice?: number; videoBitsPerSecond?: number; audioBitsPerSecond?: number }): Promise<PartStarted>;
  /** For pages that send their own chunks: the next chunk starts a new part (waits until every earlier chunk is acked). */
  startPart(): Promise<PartStarted>;
  /** Forgets the chunks this browser holds for the recording. */
  discard(): Promise<void>;

  addEventListener<K extends keyof RecordingEventMap>(type: K, listener: (ev: RecordingEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RecordingEventMap>(type: K, listener: (ev: RecordingEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Uploads chunks a page made itself as one recording, and stops it. */
export function upload(chunks: Iterable<Blob | BufferSource> | AsyncIterable<Blob | BufferSource>, options: OpenOptions): Promise<StopResult>;
/** The first of MIME_TYPES (audio types for an audio-only stream) this browser's MediaRecorder supports. */
export function chooseMimeType(stream?: MediaStream): string | undefined;
/** `https://host` → `wss://host/v1/ingest`. */
export function ingestUrl(url: string): string;
export const MIME_TYPES: readonly string[];
export const DEFAULT_STORAGE_BUDGET_BYTES: number;
export const DEFAULTS: Readonly<Required<Pick<ConnectionOptions, 'windowBytes' | 'windowChunks' | 'maxBufferedBytes' |
  'connectTimeoutMs' | 'ackTimeoutMs' | 'backoffMs' | 'maxBackoffMs' | 'reconnectAttempts' | 'maxResendAttempts'>>>;
