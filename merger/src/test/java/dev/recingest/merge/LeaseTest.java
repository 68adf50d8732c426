package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.RecordingId;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The queue side of a {@link Lease} before its attempt is admitted (the recording side, fenced in Redis, is covered
 * by MergeRecoveryIT and MergeFencingIT): each renewal extends the entry; one that finds it taken loses the lease,
 * and a lost lease is not renewed again.
 */
class LeaseTest {

    @Test
    void aRenewalThatFindsTheQueueEntryTakenLosesTheLeaseForGood() throws Exception {
        AtomicInteger extensions = new AtomicInteger();
        AtomicInteger answers = new AtomicInteger(2); // held for two renewals, then taken by another consumer
        Lease lease = Lease.onQueueEntry(RecordingId.of("lease-test"), () -> {
            extensions.incrementAndGet();
            return answers.getAndDecrement() > 0;
        });
        lease.renew();
        lease.renew();
        assertTrue(lease.held());
        lease.renew();
        assertFalse(lease.held());
        lease.renew();
        assertEquals(3, extensions.get(), "a lost lease is not renewed");
        assertEquals(0, lease.attempt());
    }

    @Test
    void anUnmanagedLeaseIsHeldUntilLost() throws Exception {
        Lease lease = Lease.unmanaged();
        lease.renew();
        lease.release(); // no attempt yet: nothing to release
        assertTrue(lease.held());
        lease.lose();
        assertFalse(lease.held());
    }
}
