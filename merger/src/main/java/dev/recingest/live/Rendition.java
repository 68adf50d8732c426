package dev.recingest.live;

import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.events.RecordingEvent;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.Await;
import dev.recingest.merge.CodecPlan;
import dev.recingest.merge.FfmpegCapabilities;
import dev.recingest.merge.InputFormat;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MediaProbe;
import dev.recingest.merge.MergeFailure;
import dev.recingest.mp4.SampleTables;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.LiveRenditionFiles;
import dev.recingest.storage.MultipartUploads;
import dev.recingest.storage.MultipartUploads.Part;
import dev.recingest.storage.OutputStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recording rendered live by one worker, from the moment it takes the recording's lease until the rendition is
 * finished (the recording stopped, the playlist ended and the MP4 staged: {@link FinalOutput}), the lease is lost,
 * or the worker stops. Its own thread reads FFmpeg's output and publishes segments; a feeder thread reads the chunks
 * as they are committed ({@link ChunkFeed}) and writes them into FFmpeg; the worker's scheduler renews the lease.
 *
 * <p>Starting: whatever storage holds of the rendition is loaded ({@link Resumption}); FFmpeg reads the recording
 * from its first chunk, and samples already published are dropped, so a rendition taken over has no hole and no
 * repeated segment. The codecs are learnt from the first chunks (probed as the content type's demuxer only), which
 * gives the same codec plan as the merge would choose, with key frames every segment where video is encoded.
 */
final class Rendition implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Rendition.class);
    private static final int PROBE_MIN = 1;
    private static final int PROBE_MAX = 1 << 20;
    /** States in which a recording still takes chunks: only those get a rendition started from nothing. */
    private static final java.util.Set<dev.recingest.state.RecordingState> LIVE_STATES = java.util.EnumSet.of(
            dev.recingest.state.RecordingState.RECORDING, dev.recingest.state.RecordingState.STALLED);

    /** What every rendition of a worker shares. */
    record Services(LiveConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                    MultipartUploads uploads, EventPublisher events, FfmpegBinaries binaries, FfmpegCapabilities caps,
                    ScheduledExecutorService renewals, Path workDir, long minPart, Clock clock) {
    }

    private final Services s;
    private final RecordingId id;
    private final LiveLease lease;
    private final Runnable onRunning;
    private final java.util.function.Consumer<String> onEnd;
    private volatile Remux remux;
    private volatile ChunkFeed feed;
    private volatile RenditionOutput output;
    private volatile boolean stopping;
    private volatile boolean renewing;
    private volatile RuntimeException feedFailure;
    private volatile ChunkFeed.Gone feedGone;
    /** FFmpeg was given the whole recording: the end of its output is the recording's end (SegmentPipeline). */
    private volatile boolean inputComplete;

    /**
     * @param onRunning told when the rendition's FFmpeg is running (its start is done)
     * @param onEnd     told how the rendition ended (finished, stopped, lease-lost, gone, failed, …)
     */
    Rendition(Services s, RecordingId id, LiveLease lease, Runnable onRunning, java.util.function.Consumer<String> onEnd) {
        this.s = s;
        this.id = id;
        this.lease = lease;
        this.onRunning = onRunning;
        this.onEnd = onEnd;
    }

    RecordingId id() {
        return id;
    }

    /** Stops the rendition (the worker is stopping); it releases its lease so another worker takes over at once. */
    void stop() {
        stopping = true;
        Remux r = remux;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public void run() {
        ScheduledFuture<?> renewal = s.renewals().scheduleWithFixedDelay(this::renew, s.config().lease().toMillis() / 3,
                s.config().lease().toMillis() / 3, TimeUnit.MILLISECONDS);
        Path dir = s.workDir().resolve(id.value());
        String outcome = "stopped";
        try {
            outcome = render(dir);
        } catch (LiveLease.Lost e) {
            outcome = "lease-lost";
            LOG.atWarn().addKeyValue("recording", id).log("live lease lost");
        } catch (ChunkFeed.Gone e) {
            outcome = "gone";
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", e.getMessage()).log("live rendition ended");
            s.recordings().liveIndex().remove(id);
            abortUpload();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Losing the lease or stopping kills FFmpeg, which surfaces here as whatever the reader was doing.
            outcome = lease.lost() ? "lease-lost" : stopping ? "stopped" : "failed";
            if (!stopping && !lease.lost()) {
                LOG.atError().addKeyValue("recording", id).addKeyValue("error", e.toString()).setCause(e).log("live rendition failed");
                failed(e);
                if (e instanceof MergeFailure mf && !mf.retryable() || e instanceof dev.recingest.mp4.MalformedMp4) {
                    // The same bytes fail the same way: no other worker takes it up again (the status says FAILED,
                    // and the merge merges the chunks). Storage errors leave it listed, to be taken over.
                    s.recordings().liveIndex().remove(id);
                    abortUpload();
                }
            }
        } finally {
            renewal.cancel(false);
            Remux r = remux;
            if (r != null) {
                r.close();
            }
            lease.release();
            dev.recingest.merge.WorkSpace.deleteTree(dir);
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("outcome", outcome).log("live rendition ended");
            onEnd.accept(outcome);
        }
    }

    private String render(Path dir) throws Exception {
        Resumption r = Resumption.load(s.outputs(), s.uploads(), id, s.config().segmentSeconds());
        if (r.final_().isPresent()) {
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("segments", r.playlist().size()).log("live rendition already finished");
            s.recordings().liveIndex().remove(id);
            return "already-finished";
        }
        var rec = Await.within(s.recordings().get(id), Duration.ofSeconds(30));
        if (rec.isEmpty()) {
            throw new ChunkFeed.Gone("Redis has no record of the recording");
        }
        if (!dev.recingest.merge.LiveCompatibility.byteJoined(rec.get().mode(), rec.get().contentType())) {
            // Segments the merge joins file by file (WebM, MP4): one FFmpeg reading them as one stream would not
            // make the merge's MP4. Merged from the chunks after the stop; no playlist.
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "segments-not-one-stream")
                    .addKeyValue("contentType", rec.get().contentType()).log("live rendition skipped");
            s.recordings().liveIndex().remove(id);
            return "skipped";
        }
        if (r.fresh() && !LIVE_STATES.contains(rec.get().state())) {
            // Ended before any segment was listed (a backlog after an outage, a recording shorter than a poll):
            // nobody watches it live, and rendering it now would only race the batch merge, which the merge
            // then waits for. The merge merges the chunks; no playlist is made.
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "ended-before-rendition")
                    .addKeyValue("state", rec.get().state()).log("live rendition skipped");
            s.recordings().liveIndex().remove(id);
            return "skipped";
        }
        FastMp4 mp4 = r.fresh() ? new FastMp4(s.uploads(), s.outputs(), id, dir.resolve("mp4"), s.minPart())
                : FastMp4.resume(s.uploads(), s.outputs(), id, dir.resolve("mp4"), s.minPart(), r.payloads(),
                        seq -> Resumption.payload(s.outputs(), id, seq));
        long liveAt = Long.parseLong(Await.within(s.recordings().liveIndex().status(id), Duration.ofSeconds(30))
                .getOrDefault("liveAt", r.fresh() ? "0" : Long.toString(s.clock().millis())));
        output = new RenditionOutput(id, s.outputs(), lease, r.playlist(), r.tables(), mp4, 0, liveAt, s.clock(),
                this::announceLive);
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("resumedAfterSegments", r.playlist().size())
                .addKeyValue("contentType", rec.get().contentType()).addKeyValue("mode", rec.get().mode().wire())
                .log("live rendition started");
        feed = new ChunkFeed(id, s.recordings(), s.chunks(), s.config().poll(), rec.get().contentType());
        InputFormat format = InputFormat.of(rec.get().contentType());
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        MediaInfo input = probe(format, prefix);
        if (input == null) {
            return "no-media";
        }
        CodecPlan plan = CodecPlan.forFragments(input, s.caps(), s.config().segmentSeconds());
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("codecs", plan.describe(input)).log("live remux started");
        remux = Remux.start(s.binaries().ffmpeg(), format, plan);
        onRunning.run();
        if (stopping) {
            return "stopped";
        }
        Thread feeder = new Thread(() -> feed(prefix.toByteArray()), "live-feed-" + id.value());
        feeder.setDaemon(true);
        feeder.start();
        try {
            SegmentPipeline.run(remux.output(), s.config().segmentSeconds(), r.playlist().size(),
                    r.fresh() ? null : r.resumeAt(), () -> inputComplete && !stopping, output);
        } catch (Exception e) {
            feeder.join(10_000);
            if (feedGone != null) {
                throw feedGone; // the recording went away: the feeder stopped FFmpeg
            }
            if (feedFailure != null) {
                throw feedFailure; // why FFmpeg's output ended: the feeder killed it
            }
            throw e;
        }
        feeder.join();
        if (feedGone != null) {
            throw feedGone;
        }
        if (feedFailure != null) {
            throw feedFailure;
        }
        int exit = remux.await(60);
        if (stopping || lease.lost()) {
            return "stopped";
        }
        if (exit != 0) {
            throw new MergeFailure(dev.recingest.merge.MergeError.FFMPEG_FAILED, "live ffmpeg exited " + exit + ": " + remux.errors());
        }
        if (feed.chunkCount() < 0) {
            throw new IllegalStateException("the remux ended before the recording did");
        }
        finish(mp4, plan.describe(input), dir);
        return "finished";
    }

    /**
     * Reads the first chunks until they probe as media (the container header and first frames), or gives up. MPEG-TS
     * whose program map names only H.264, HEVC and AAC is read in the JVM ({@link TsCodecs}), anything else by ffprobe.
     */
    private MediaInfo probe(InputFormat format, ByteArrayOutputStream prefix) throws Exception {
        MediaProbe probe = new MediaProbe(s.binaries().prober());
        MergeFailure last = null;
        while (prefix.size() < PROBE_MAX && !stopping) {
            byte[] b = feed.next();
            if (b != null) {
                prefix.write(b);
            }
            if (b != null && prefix.size() < PROBE_MIN) {
                continue;
            }
            if (prefix.size() == 0) {
                return null;
            }
            if ("mpegts".equals(format.demuxer())) {
                // The program map names the codecs: no ffprobe process (half of a start's processes) where it does.
                java.util.Optional<MediaInfo> fromTable = TsCodecs.of(prefix.toByteArray());
                if (fromTable.isPresent()) {
                    return fromTable.get();
                }
            }
            try {
                return probe.probe(new ByteArrayInputStream(prefix.toByteArray()), format, "the first " + feed.read() + " chunks");
            } catch (MergeFailure e) {
                last = e;
                if (b == null) {
                    throw e;
                }
            }
        }
        if (last != null) {
            throw last;
        }
        return null;
    }

    /** Feeds FFmpeg the probed prefix, then every chunk as it is committed; ends its input when the recording has. */
    private void feed(byte[] prefix) {
        try {
            var in = remux.input();
            in.write(prefix);
            in.flush();
            byte[] b;
            while ((b = feed.next()) != null && !stopping) {
                in.write(b);
                in.flush();
            }
            inputComplete = b == null; // the recording ended, not the rendition stopped
            remux.endInput();
        } catch (IOException e) {
            // FFmpeg went away: the reading side reports why.
        } catch (ChunkFeed.Gone e) {
            // Ended here rather than taken up again by the next poll: the reading side reports it as gone.
            feedGone = e;
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        } catch (RuntimeException e) {
            // Not a stop: the rendition fails (its status says so, and the merge merges the chunks at once).
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("error", e.toString()).log("live feed failed");
            feedFailure = e;
            remux.close();
        }
    }

    /** The recording stopped and every chunk is in: end the playlist, stage the MP4, describe it. */
    private void finish(FastMp4 mp4, String codecs, Path dir) throws Exception {
        output.endPlaylist();
        SampleTables tables = output.tables();
        List<Part> parts = mp4.finish(tables, dir);
        long size = parts.stream().mapToLong(Part::size).sum();
        FinalOutput f = new FinalOutput(mp4.uploadId(), parts, size, StreamFacts.durationSeconds(tables),
                StreamFacts.streams(tables), codecs, feed.chunkCount(), feed.digests(), tables.segments(),
                StreamFacts.videoFrames(tables));
        lease.hold(output.status());
        byte[] json = f.toJson();
        Await.within(s.outputs().putBytes(s.outputs().keys().liveFile(id, "mp4-final.json"), json, "application/json"),
                Duration.ofMinutes(1));
        Map<String, String> status = new LinkedHashMap<>(output.status());
        status.put("finalAt", Long.toString(s.clock().millis()));
        status.put("chunks", Long.toString(feed.read()));
        lease.hold(status);
        s.recordings().liveIndex().remove(id);
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("segments", tables.segments())
                .addKeyValue("durationSeconds", f.durationSeconds()).addKeyValue("mp4Bytes", size)
                .addKeyValue("parts", parts.size()).addKeyValue("finalJsonBytes", json.length).log("live rendition finished");
    }

    /**
     * The rendition ends for good (its recording went away, or it failed in a way no other worker would do
     * better): its MP4 upload will never be completed, so it is aborted now rather than left to cost storage.
     */
    private void abortUpload() {
        try {
            if (Await.within(LiveRenditionFiles.abortUpload(s.outputs(), s.uploads(), id), Duration.ofSeconds(30))) {
                LOG.atInfo().addKeyValue("recording", id).log("live mp4 upload aborted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // A bucket lifecycle rule for incomplete uploads removes it in the end (deploy/README).
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("error", e.toString()).log("live mp4 upload not aborted");
        }
    }

    private void renew() {
        RenditionOutput o = output;
        ChunkFeed f = feed;
        if (lease.lost() || renewing) {
            return; // lost, or the last renewal is still waiting for Redis: one at a time
        }
        // Starting (what storage holds read, the recording looked up) takes a few requests, which under load
        // can take longer than the lease: it is renewed then too, with no status yet. (It was not, and 50
        // renditions taken at once all lost their leases and started again, over and over.)
        Map<String, String> status = new LinkedHashMap<>(o == null ? Map.of() : o.status());
        if (f != null) {
            status.put("chunks", Long.toString(f.read()));
            status.put("chunksBehind", Long.toString(Math.max(0, f.committed() - f.read())));
        }
        renewing = true;
        // Not waited for: see LiveLease#renew. What it found is handled off Redis's event loop.
        lease.renew(status).whenCompleteAsync((held, e) -> {
            renewing = false;
            if (e != null) {
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("error", e.toString()).log("live lease not renewed");
            } else if (!held) {
                LOG.atWarn().addKeyValue("recording", id).log("live lease lost");
                stop();
            }
        }, s.renewals());
    }

    private void failed(Exception e) {
        try {
            RenditionOutput o = output;
            Map<String, String> status = new LinkedHashMap<>(o == null ? Map.of() : o.status());
            status.put("state", "FAILED");
            status.put("error", String.valueOf(e.getMessage()));
            lease.hold(status);
        } catch (Exception ignored) {
            // the status is a courtesy; the merge falls back to merging the chunks either way
        }
    }

    /** recording.live: the first segment is listed. */
    private void announceLive(Map<String, String> status) {
        s.recordings().fields(id).thenCompose(meta -> {
            if (meta == null || meta.isEmpty()) {
                return java.util.concurrent.CompletableFuture.completedFuture(false);
            }
            Map<String, String> m = new LinkedHashMap<>(meta);
            m.put("liveAt", status.get("liveAt"));
            return s.events().publish(RecordingEvent.of(EventType.LIVE, id, m, s.clock()));
        });
    }
}
