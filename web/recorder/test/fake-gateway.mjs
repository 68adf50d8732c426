// A scripted stand-in for the gateway's WebSocket, for protocol tests of the module in Node (no browser,
// no IndexedDB: chunks are held in memory). Each FakeSocket records what the client sent; the test
// answers with reply(...) or close(...). By default `start` is answered `started` at once.

export class FakeGateway {
  constructor({ autoStart = true, parts, bufferedAmount = 0 } = {}) {
    this.sockets = [];
    this.autoStart = autoStart;
    this.parts = parts;
    this.bufferedAmount = bufferedAmount;
    this.nextSeq = 0;
    const gateway = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url) {
        super(url, gateway);
        gateway.sockets.push(this);
      }
    };
  }

  get last() {
    return this.sockets[this.sockets.length - 1];
  }
}

class FakeSocket {
  constructor(url, gateway) {
    this.url = url;
    this.gateway = gateway;
    this.readyState = 0;
    this.sent = [];
    this.waiters = [];
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }

  get bufferedAmount() {
    return this.gateway.bufferedAmount;
  }

  send(data) {
    if (typeof data === 'string') {
      const m = JSON.parse(data);
      this.#record(m);
      if (m.type === 'start' && this.gateway.autoStart) {
        const started = { type: 'started', recordingId: m.recordingId || 'rec-fake', nextSeq: this.gateway.nextSeq,
          resumed: this.gateway.sockets.length > 1 };
        if (this.gateway.parts !== undefined) {
          started.parts = this.gateway.parts;
        }
        this.reply(started);
      }
      return;
    }
    // A chunk frame: kind, big-endian int64 seq, payload. Recorded in send order even though reading a Blob is async.
    const entry = { type: 'chunk', seq: null, size: data.size - 9 };
    this.#record(entry);
    data.arrayBuffer().then((b) => {
      const v = new DataView(b);
      entry.kind = v.getUint8(0);
      entry.seq = Number(v.getBigInt64(1));
      this.#wake();
    });
  }

  #record(m) {
    this.sent.push(m);
    this.#wake();
  }

  #wake() {
    for (const w of [...this.waiters]) {
      w();
    }
  }

  /** Resolves with the sent messages once `predicate(sent)` holds (chunk seqs decoded). */
  until(predicate, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const decoded = this.sent.every((m) => m.type !== 'chunk' || m.seq !== null);
        if (decoded && predicate(this.sent)) {
          this.waiters = this.waiters.filter((w) => w !== check);
          clearTimeout(timer);
          resolve(this.sent);
        }
      };
      const timer = setTimeout(() => reject(new Error(`timeout; sent ${JSON.stringify(this.sent)}`)), timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  chunkSeqs() {
    return this.sent.filter((m) => m.type === 'chunk').map((m) => m.seq);
  }

  reply(message) {
    setTimeout(() => this.readyState === 1 && this.onmessage?.({ data: JSON.stringify(message) }), 0);
  }

  ack(seq, size = 1) {
    this.reply({ type: 'ack', seq, index: seq, size });
  }

  /** The gateway closes the connection (1006 for a broken link). */
  drop(code = 1006, reason = '') {
    if (this.readyState > 1) {
      return;
    }
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }

  close() {
    this.readyState = 3;
  }
}
