package dev.agentkernel.egress.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A connection's input with a buffer the proxy can see into: request heads and chunk-size lines
 * are read from it line by line, bodies in blocks, and what it read ahead but nobody consumed can
 * be taken out ({@link #takeBuffered}) to be replayed elsewhere (a CONNECT tunnel's first bytes).
 */
final class HttpInput extends InputStream {

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;

    HttpInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == limit) {
            return in.read(b, off, len);
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(buffer, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return limit - position + in.available();
    }

    /** The bytes read ahead and not yet consumed, removed from this input. */
    byte[] takeBuffered() {
        byte[] rest = Arrays.copyOfRange(buffer, position, limit);
        position = limit;
        return rest;
    }

    /**
     * Reads one line ending in LF (a CR before it dropped), at most {@code max} bytes.
     *
     * @return the line's bytes without its end; null at the end of the input before any byte
     * @throws HttpProblem 400 if the line is longer than {@code max} or the input ends inside it
     */
    byte[] readLine(int max) throws IOException {
        byte[] line = new byte[Math.min(max, 256)];
        int n = 0;
        while (true) {
            if (!fill()) {
                if (n == 0) {
                    return null;
                }
                throw new HttpProblem(400, "the connection ended inside a line");
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int count = position - start;
            if (n + count > max) {
                throw new HttpProblem(431, "a line of the request head is longer than " + max + " bytes");
            }
            if (n + count > line.length) {
                line = Arrays.copyOf(line, Math.min(max, Math.max(line.length * 2, n + count)));
            }
            System.arraycopy(buffer, start, line, n, count);
            n += count;
            if (position < limit) {
                position++; // the LF
                int length = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                return Arrays.copyOf(line, length);
            }
        }
    }

    /** Reads exactly {@code b.length} bytes. @throws HttpProblem 400 if the input ends first */
    void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = read(b, off, len);
            if (n < 0) {
                throw new HttpProblem(400, "the connection ended inside the request body");
            }
            off += n;
            len -= n;
        }
    }

    private boolean fill() throws IOException {
        if (position < limit) {
            return true;
        }
        position = 0;
        limit = 0;
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
