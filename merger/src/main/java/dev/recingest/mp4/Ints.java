package dev.recingest.mp4;

import java.util.Arrays;

/** A growable array of ints (sample sizes, counts): a few bytes a sample, where a List would take tens. */
final class Ints {

    private int[] a = new int[256];
    private int n;

    void add(int v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[n++] = v;
    }

    int get(int i) {
        return a[i];
    }

    int size() {
        return n;
    }
}
