// IndexedDB persistence of recordings and their unacked chunks: a chunk is written here before it is
// sent and deleted once the gateway acked it, so a reload, a crash or a long time offline loses
// nothing that MediaRecorder handed over. One database per origin, shared by every recording of it.

const DB_NAME = 'recingest-recorder';
const DB_VERSION = 1;
const RECORDINGS = 'recordings';
const CHUNKS = 'chunks';

/** @type {Map<string, Promise<ChunkStore | null>>} */
const opened = new Map();

/** An IDBRequest's result as a promise. @param {IDBRequest} request */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves once the transaction committed (its writes are durable), rejects if it aborted. @param {IDBTransaction} tx */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(undefined);
    tx.onabort = tx.onerror = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
  });
}

export class ChunkStore {
  /**
   * The origin's store, opened once per page; null where IndexedDB is unavailable (then recordings
   * are held in memory only).
   * @param {string} [name]
   * @returns {Promise<ChunkStore | null>}
   */
  static open(name = DB_NAME) {
    if (!opened.has(name)) {
      opened.set(name, ChunkStore.#open(name).catch(() => null));
    }
    return /** @type {Promise<ChunkStore | null>} */ (opened.get(name));
  }

  static async #open(name) {
    if (typeof indexedDB === 'undefined') {
      return null;
    }
    const request = indexedDB.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RECORDINGS)) {
        db.createObjectStore(RECORDINGS, { keyPath: 'recordingId' });
      }
      if (!db.objectStoreNames.contains(CHUNKS)) {
        db.createObjectStore(CHUNKS, { keyPath: ['recordingId', 'seq'] });
      }
    };
    const db = await done(request);
    const store = new ChunkStore(db);
    // What earlier visits left counts against the budget too.
    const all = await done(db.transaction(CHUNKS).objectStore(CHUNKS).getAll());
    store.usedBytes = all.reduce((sum, c) => sum + (c.size || 0), 0);
    return store;
  }

  /** @param {IDBDatabase} db */
  constructor(db) {
    this.db = db;
    /** Payload bytes of every chunk held in the database, all recordings of the origin. */
    this.usedBytes = 0;
  }

  /** @param {object} record recordingId, url, contentType, mode, metadata, createdAt */
  async putRecording(record) {
    const tx = this.db.transaction(RECORDINGS, 'readwrite', { durability: 'strict' });
    tx.objectStore(RECORDINGS).put(record);
    await committed(tx);
  }

  /** @returns {Promise<object[]>} */
  recordings() {
    return done(this.db.transaction(RECORDINGS).objectStore(RECORDINGS).getAll());
  }

  /**
   * @param {string} recordingId
   * @param {number} seq
   * @param {Blob} data
   */
  async putChunk(recordingId, seq, data) {
    // Strict: committed means on disk, so a browser crash right after the send loses nothing.
    const tx = this.db.transaction(CHUNKS, 'readwrite', { durability: 'strict' });
    tx.objectStore(CHUNKS).put({ recordingId, seq, size: data.size, data });
    this.usedBytes += data.size;
    try {
      await committed(tx);
    } catch (e) {
      this.usedBytes -= data.size;
      throw e;
    }
  }

  /** @param {string} recordingId @param {number} seq @param {number} size */
  async deleteChunk(recordingId, seq, size) {
    const tx = this.db.transaction(CHUNKS, 'readwrite');
    tx.objectStore(CHUNKS).delete([recordingId, seq]);
    await committed(tx);
    this.usedBytes = Math.max(0, this.usedBytes - size);
  }

  /**
   * The recording's stored chunks in seq order.
   * @param {string} recordingId
   * @returns {Promise<{seq: number, size: number, data: Blob}[]>}
   */
  chunksOf(recordingId) {
    const range = IDBKeyRange.bound([recordingId, 0], [recordingId, Infinity]);
    return done(this.db.transaction(CHUNKS).objectStore(CHUNKS).getAll(range));
  }

  /** Forgets a recording and every chunk of it. @param {string} recordingId */
  async deleteRecording(recordingId) {
    const chunks = await this.chunksOf(recordingId);
    const tx = this.db.transaction([RECORDINGS, CHUNKS], 'readwrite');
    tx.objectStore(RECORDINGS).delete(recordingId);
    tx.objectStore(CHUNKS).delete(IDBKeyRange.bound([recordingId, 0], [recordingId, Infinity]));
    await committed(tx);
    this.usedBytes = Math.max(0, this.usedBytes - chunks.reduce((sum, c) => sum + c.size, 0));
  }
}
