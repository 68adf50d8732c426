/**
 * The hot state of recordings in Redis. Every key of one recording shares the hash tag
 * {@code {<recordingId>}}, so each Lua script touches a single slot and the same code runs on a single
 * Redis, Sentinel or Redis Cluster.
 *
 * <p>Keys of a recording:
 * <ul>
 *   <li>{@code rec:{id}:meta} hash: state, contentType, mode, seqMode, epoch (owner: creation time in ms
 *       times 1000, plus one per takeover), metadata, bytes, chunks, filledTo (every index below it is
 *       stored or void: where a repair's listing starts), timestamps (epoch ms: createdAt, updatedAt,
 *       lastChunkAt, openedAt, stalledAt, stoppedAt, autoStopped, mergeQueuedAt, abortedAt; recoveredAt when
 *       a connection re-created a record Redis had lost; settledAt when an end was restored from storage),
 *       output and error fields, and the merge's {@code mergeAttempts}, {@code mergeAttemptId} (the latest
 *       attempt, which its steps are fenced on) and {@code mergeLeaseUntil};</li>
 *   <li>{@code rec:{id}:next} string: the index counter (INCR);</li>
 *   <li>{@code rec:{id}:stored} hash: index to size of every durably stored chunk;</li>
 *   <li>{@code rec:{id}:void} set: at-least-once indices that could not be stored and never will be;</li>
 *   <li>{@code rec:{id}:parts} hash: where each part after part 0 begins, first seq to start time (epoch ms);
 *       see {@link dev.recingest.state.PartStart}.</li>
 * </ul>
 * Global keys: {@code recingest:recordings} (sorted set of ids by creation time, for listing),
 * {@code recingest:merge-jobs} (stream of merge jobs, consumer group {@code mergers}),
 * {@code recingest:open} (sorted set of recordings the janitor watches, scored by when it should look at
 * each next; see {@link dev.recingest.state.OpenRecordings}) and {@code recingest:janitor-lock} (string:
 * the token of the gateway whose janitor sweeps; see {@link dev.recingest.state.JanitorLock}) and
 * {@code recingest:subject-open:{<hash of sub>}} (sorted set: the recordings one token subject opened; see
 * {@link dev.recingest.state.OpenPerSubject}).
 *
 * <p>The keys of an ended recording expire after the retention time ({@code RECINGEST_RETENTION_REDIS});
 * {@link dev.recingest.state.Remerge} makes them permanent again. A force-deleted open recording keeps
 * only its meta record, as an ABORTED tombstone that expires.
 *
 * <p>Commands used: EVALSHA/EVAL, HGETALL, HGET, HSET, HSETNX, HDEL, HINCRBY, ZADD, ZRANGE, ZRANGEBYSCORE, ZREM, XADD,
 * XGROUP (CREATE, DELCONSUMER), XINFO CONSUMERS, XREADGROUP, XACK, XDEL, XCLAIM, XPENDING, XAUTOCLAIM, DEL,
 * PEXPIRE, PERSIST, SET NX PX; for the {@link dev.recingest.state.Backlog} census also XRANGE, XLEN and TIME.
 * Redis ≥ 6.2 (XAUTOCLAIM).
 */
package dev.recingest.state;
