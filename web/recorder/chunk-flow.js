// The chunk side of an IngestSession (as the Java client's ChunkFlow): which chunks are unacked, when
// each is (re)sent within the window, and what acks and SEQ_GAP do to them. It never decides the
// session's fate: it answers the session, which owns the connection and the phases.

function frameOf(seq, data) {
  const header = new DataView(new ArrayBuffer(9));
  header.setUint8(0, 0x01);
  header.setBigInt64(1, BigInt(seq));
  return new Blob([header.buffer, data]);
}

export class ChunkFlow {
  /** @param {{windowBytes: number, windowChunks: number, maxBufferedBytes: number}} o */
  constructor(o) {
    this.o = o;
    /** @type {Map<number, {seq: number, data: Blob, size: number, stored: boolean, sent: boolean,
     *   unanswered: number[], nacks: number, afterPart: boolean}>} unacked chunks, in seq order */
    this.pending = new Map();
    this.pendingBytes = 0;
    this.ackedChunks = 0;
    this.ackedBytes = 0;
    this.inflightBytes = 0;
    this.inflightChunks = 0;
    /** Position of each send in this client's stream of frames (answers refer to sends, not seqs). */
    this.sendOrdinal = 0;
    this.gapResendOrdinal = -1;
    this.gapResendFrom = Infinity;
    this.bufferPoll = null;
  }

  get size() {
    return this.pending.size;
  }

  get(seq) {
    return this.pending.get(seq);
  }

  /** Holds a chunk; seqs come in ascending order, so the map's order is seq order. */
  hold(seq, data, stored, afterPart) {
    this.pending.set(seq, { seq, data, size: data.size, stored, sent: false, unanswered: [], nacks: 0, afterPart });
    this.pendingBytes += data.size;
  }

  /** The chunk is persisted (or given up on persisting): it may go out. False if it is no longer held. */
  markStored(seq) {
    const p = this.pending.get(seq);
    if (p) {
      p.stored = true;
    }
    return !!p;
  }

  /** Nothing sent on a lost connection will be answered: everything held goes out again after the resume. */
  connectionLost() {
    this.inflightBytes = 0;
    this.inflightChunks = 0;
    this.gapResendOrdinal = -1;
    this.gapResendFrom = Infinity;
    for (const p of this.pending.values()) {
      p.sent = false;
      p.unanswered.length = 0;
    }
  }

  /** An ack: the chunk is durable and forgotten; returns it, or null for a second ack of a resend. */
  ack(seq) {
    const p = this.pending.get(seq);
    if (!p) {
      return null;
    }
    if (p.sent) {
      this.#unsend(p);
    }
    this.pending.delete(seq);
    this.pendingBytes -= p.size;
    this.ackedChunks++;
    this.ackedBytes += p.size;
    return p;
  }

  /**
   * A chunk arrived ahead of `expected`. Every chunk sent after the missing one draws the same error, so a
   * resend starts only for an error that answers a send made before the last gap resend began, for a point
   * that resend does not cover. Returns false when `expected` is not held (nothing can be resent).
   */
  gap(seq, expected) {
    const named = this.pending.get(seq);
    const answered = named ? (named.unanswered.shift() ?? -1) : -1;
    if (answered >= 0 && answered < this.gapResendOrdinal && expected >= this.gapResendFrom) {
      return true;
    }
    if (!this.pending.has(expected)) {
      return false;
    }
    this.gapResendOrdinal = this.sendOrdinal;
    this.gapResendFrom = expected;
    for (const p of this.pending.values()) {
      if (p.seq >= expected && p.sent) {
        this.#unsend(p);
      }
    }
    return true;
  }

  /** The new part started: the chunks held back for it may go. */
  partStarted() {
    for (const p of this.pending.values()) {
      p.afterPart = false;
    }
  }

  /** True while a chunk of the current part is unacked (a `part` must wait). */
  unackedBeforePart() {
    for (const p of this.pending.values()) {
      if (!p.afterPart) {
        return true;
      }
    }
    return false;
  }

  /** How many held chunks wait for the new part. */
  heldForPart() {
    let n = 0;
    for (const p of this.pending.values()) {
      n += p.afterPart ? 1 : 0;
    }
    return n;
  }

  /**
   * Sends what the window and the socket's buffer allow, in seq order: a chunk only once persisted, at
   * most windowBytes and windowChunks unacked, nothing while the socket holds more than maxBufferedBytes
   * not yet written to the network (then `retry` is scheduled to try again shortly).
   */
  pump(ws, retry) {
    for (const p of this.pending.values()) {
      if (p.sent) {
        continue;
      }
      if (!p.stored || p.afterPart) {
        break;
      }
      if (this.inflightChunks >= this.o.windowChunks
          || (this.inflightChunks > 0 && this.inflightBytes + p.size > this.o.windowBytes)) {
        break; // an ack reopens the window
      }
      if (ws.bufferedAmount > this.o.maxBufferedBytes) {
        retry();
        break;
      }
      p.sent = true;
      this.inflightBytes += p.size;
      this.inflightChunks++;
      this.transmit(ws, p);
    }
  }

  /** Sends one held chunk (again); its window share is the caller's business. */
  transmit(ws, p) {
    p.unanswered.push(this.sendOrdinal++);
    ws.send(frameOf(p.seq, p.data));
  }

  #unsend(p) {
    p.sent = false;
    this.inflightBytes -= p.size;
    this.inflightChunks--;
  }
}
