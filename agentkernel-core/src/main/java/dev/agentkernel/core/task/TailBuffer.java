package dev.agentkernel.core.task;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes appended as they come, keeping at most {@code limit} of them: when more arrive, the
 * oldest are dropped and the text says how many. Its memory grows with what it keeps (a task
 * that prints little costs little, however large the limit). Thread-safe. Package-private.
 */
final class TailBuffer {

    private static final int INITIAL = 4096;
    private final int limit;
    private byte[] ring = new byte[0]; // guarded by this
    private long total;     // guarded by this
    private int start;      // guarded by this: index of the oldest byte kept
    private int size;       // guarded by this

    TailBuffer(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    synchronized void append(byte[] b, int off, int len) {
        total += len;
        if (len == 0) {
            return;
        }
        if (len >= limit) {
            ensureCapacity(limit);
            System.arraycopy(b, off + len - limit, ring, 0, limit);
            start = 0;
            size = limit;
            return;
        }
        ensureCapacity(Math.min(limit, size + len));
        int capacity = ring.length;
        // drop the oldest bytes that no longer fit
        int overflow = size + len - capacity;
        if (overflow > 0) {
            start = (start + overflow) % capacity;
            size -= overflow;
        }
        int at = (start + size) % capacity;
        int first = Math.min(len, capacity - at);
        System.arraycopy(b, off, ring, at, first);
        System.arraycopy(b, off + first, ring, 0, len - first);
        size += len;
    }

    /** Grows the ring (linearising it) so it holds {@code needed} bytes, never beyond the limit. */
    private void ensureCapacity(int needed) {
        if (ring.length >= needed) {
            return;
        }
        int capacity = (int) Math.min(limit, Math.max(needed, Math.max(INITIAL, 2L * ring.length)));
        byte[] grown = Arrays.copyOf(linear(), capacity);
        ring = grown;
        start = 0;
    }

    private byte[] linear() {
        byte[] out = new byte[size];
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        return out;
    }

    void append(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        append(b, 0, b.length);
    }

    /** The kept bytes as UTF-8 text, after a note of how many were dropped, if any. */
    synchronized String text() {
        String kept = new String(linear(), StandardCharsets.UTF_8);
        long dropped = total - size;
        return dropped > 0 ? "[... " + dropped + " earlier bytes dropped ...]\n" + kept : kept;
    }

    /** Bytes of memory the buffer holds now. */
    synchronized int capacity() {
        return ring.length;
    }
}
