package dev.agentkernel.core.sandbox;

/**
 * The last {@code capacity} bytes of one output stream, and how many bytes before them were dropped:
 * memory stays bounded however much a long-running command writes. The buffer grows as output arrives,
 * so a quiet command costs nearly nothing. Thread-safe.
 */
final class OutputTail {

    /** The kept bytes in order, and how many bytes were dropped before them. */
    record Kept(byte[] bytes, long dropped) {
    }

    private final int capacity;
    private byte[] ring = new byte[0];
    private int start;
    private int size;
    private long total;

    OutputTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        total += length;
        if (length >= capacity) {
            ring = new byte[capacity];
            System.arraycopy(bytes, offset + length - capacity, ring, 0, capacity);
            start = 0;
            size = capacity;
            return;
        }
        if (ring.length < capacity && size + length > ring.length) {
            byte[] grown = new byte[(int) Math.min(capacity, Math.max(2L * ring.length, (long) size + length + 4096))];
            copyOut(grown);
            ring = grown;
            start = 0;
        }
        for (int i = 0; i < length; ) {
            int free = ring.length - size;
            if (free == 0) {                    // full: the oldest bytes make room
                int drop = Math.min(length - i, ring.length);
                start = (start + drop) % ring.length;
                size -= drop;
                free = drop;
            }
            int end = (start + size) % ring.length;
            int run = Math.min(length - i, Math.min(ring.length - end, free));
            System.arraycopy(bytes, offset + i, ring, end, run);
            size += run;
            i += run;
        }
    }

    synchronized Kept kept() {
        byte[] out = new byte[size];
        copyOut(out);
        return new Kept(out, total - size);
    }

    /** Bytes written so far, kept or not. */
    synchronized long total() {
        return total;
    }

    private void copyOut(byte[] target) {
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, target, 0, first);
        System.arraycopy(ring, 0, target, first, size - first);
    }
}
