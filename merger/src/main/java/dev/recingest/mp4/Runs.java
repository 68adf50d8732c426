package dev.recingest.mp4;

import java.util.Arrays;

/**
 * Values kept as runs of equal values, as {@code stts} and {@code ctts} store them: a track's sample durations
 * are nearly all equal, so a recording of hours takes a few runs instead of a value per sample.
 */
final class Runs {

    private long[] counts = new long[16];
    private long[] values = new long[16];
    private int n;

    void add(long value) {
        if (n > 0 && values[n - 1] == value) {
            counts[n - 1]++;
            return;
        }
        if (n == counts.length) {
            counts = Arrays.copyOf(counts, n * 2);
            values = Arrays.copyOf(values, n * 2);
        }
        counts[n] = 1;
        values[n] = value;
        n++;
    }

    int runs() {
        return n;
    }

    long count(int run) {
        return counts[run];
    }

    long value(int run) {
        return values[run];
    }

    boolean allZero() {
        for (int i = 0; i < n; i++) {
            if (values[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
