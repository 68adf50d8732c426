package dev.recingest.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.gateway.ingest.Recovery.Verdict;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.SeqMode;
import org.junit.jupiter.api.Test;

/**
 * What an assignment reveals about Redis ({@link Recovery#note}, {@link Recovery#verdict}): the table the chunk
 * writer goes by. The ITs (RedisLossIT, DurabilityIT, TakeoverIT) show the recoveries it starts end well; this
 * pins each row, and that the verdict is a check that changes nothing.
 */
class RecoveryVerdictTest {

    private static final long EPOCH = 5_000;

    private static Ownership owner(long nextSeq) {
        return new Ownership(RecordingId.of("verdict-1"), EPOCH, nextSeq, "video/webm", Mode.STREAM, "", null);
    }

    private static Assignment newIndex(long index) {
        return new Assignment(AssignKind.NEW, index, -1, -1, null, 0);
    }

    private static Verdict verdict(Assignment a, SeqMode mode, boolean consistent, boolean recoveredSince, int round) {
        return Recovery.verdict(a, mode, consistent, EPOCH, EPOCH, recoveredSince, round);
    }

    @Test
    void aRecordRedisLostIsReclaimed() {
        assertEquals(Verdict.RECLAIM, verdict(new Assignment(AssignKind.UNKNOWN, -1, -1, -1, null, 0), SeqMode.AUTO,
                true, false, 0));
    }

    @Test
    void aTakeoverIsReclaimedOnlyWhenRedisHoldsAnOlderEpochThanTheConnection() {
        Assignment older = new Assignment(AssignKind.TAKEN_OVER, -1, -1, -1, null, EPOCH - 1);
        Assignment newer = new Assignment(AssignKind.TAKEN_OVER, -1, -1, -1, null, EPOCH + 1);
        assertEquals(Verdict.RECLAIM, verdict(older, SeqMode.AUTO, true, false, 0), "Redis lost the takeover");
        assertEquals(Verdict.USE, verdict(newer, SeqMode.AUTO, true, false, 0), "another connection owns it now");
        assertEquals(Verdict.ASK_AGAIN, Recovery.verdict(older, SeqMode.AUTO, true, EPOCH, EPOCH + 7, false, 0),
                "asked with an epoch the connection has since replaced");
        assertEquals(Verdict.ASK_AGAIN, verdict(older, SeqMode.AUTO, true, true, 0), "a recovery started since");
    }

    @Test
    void aGapIsRepairedOnceThenAnswered() {
        Assignment gap = new Assignment(AssignKind.GAP, -1, -1, 3, null, 0);
        assertEquals(Verdict.REPAIR, verdict(gap, SeqMode.EXPLICIT, true, false, 0));
        assertEquals(Verdict.USE, verdict(gap, SeqMode.EXPLICIT, true, false, 1));
    }

    @Test
    void anAtLeastOnceIndexBelowOneHandedOutBeforeMeansRedisWentBack() {
        Ownership o = owner(0);
        assertTrue(Recovery.note(o, newIndex(0), SeqMode.AUTO));
        assertTrue(Recovery.note(o, newIndex(1), SeqMode.AUTO));
        assertEquals(2, o.knownNext());
        boolean consistent = Recovery.note(o, newIndex(1), SeqMode.AUTO);
        assertFalse(consistent, "index 1 was handed out already");
        assertEquals(2, o.knownNext(), "what went back is not learnt");
        assertEquals(Verdict.REPAIR, verdict(newIndex(1), SeqMode.AUTO, consistent, false, 0));
        assertEquals(SeqMode.AUTO, o.seqMode());
    }

    @Test
    void anAtLeastOnceIndexIssuedBeforeARecoveryIsLeftUnused() {
        assertEquals(Verdict.ASK_AGAIN, verdict(newIndex(4), SeqMode.AUTO, true, true, 0));
        assertEquals(Verdict.USE, verdict(newIndex(4), SeqMode.AUTO, true, false, 0));
    }

    @Test
    void explicitIndicesAndResendsAreUsedAndRaiseWhatTheConnectionKnows() {
        Ownership o = owner(0);
        assertTrue(Recovery.note(o, newIndex(7), SeqMode.EXPLICIT));
        assertEquals(8, o.knownNext());
        assertEquals(Verdict.USE, verdict(newIndex(7), SeqMode.EXPLICIT, true, true, 0));
        Assignment resend = new Assignment(AssignKind.RESEND, 2, 100, -1, null, 0);
        assertTrue(Recovery.note(o, resend, SeqMode.EXPLICIT));
        assertEquals(8, o.knownNext(), "a resend below it changes nothing");
        assertEquals(Verdict.USE, verdict(resend, SeqMode.EXPLICIT, true, false, 0));
    }

    @Test
    void theVerdictChangesNothing() {
        Ownership o = owner(3);
        for (AssignKind kind : AssignKind.values()) {
            Recovery.verdict(new Assignment(kind, 9, -1, 9, null, EPOCH - 1), SeqMode.AUTO, true, EPOCH, o.epoch(),
                    false, 0);
        }
        assertEquals(3, o.knownNext());
        assertEquals(EPOCH, o.epoch());
        assertEquals(null, o.seqMode());
    }
}
