package dev.agentkernel.core.task;

import java.nio.charset.StandardCharsets;

/**
 * Bytes appended as they come, keeping at most {@code limit} of them: when more arrive, the
 * oldest are dropped and the text says how many. Thread-safe. Package-private.
 */
final class TailBuffer {

    private final byte[] ring;
    private long total;     // guarded by this
    private int start;      // guarded by this: index of the oldest byte kept
    private int size;       // guarded by this

    TailBuffer(int limit) {
        this.ring = new byte[limit];
    }

    synchronized void append(byte[] b, int off, int len) {
        total += len;
        if (len >= ring.length) {
            System.arraycopy(b, off + len - ring.length, ring, 0, ring.length);
            start = 0;
            size = ring.length;
            return;
        }
        for (int i = 0; i < len; i++) {
            int at = (start + size) % ring.length;
            ring[at] = b[off + i];
            if (size < ring.length) {
                size++;
            } else {
                start = (start + 1) % ring.length;
            }
        }
    }

    void append(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        append(b, 0, b.length);
    }

    /** The kept bytes as UTF-8 text, after a note of how many were dropped, if any. */
    synchronized String text() {
        byte[] out = new byte[size];
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        String kept = new String(out, StandardCharsets.UTF_8);
        long dropped = total - size;
        return dropped > 0 ? "[... " + dropped + " earlier bytes dropped ...]\n" + kept : kept;
    }
}
