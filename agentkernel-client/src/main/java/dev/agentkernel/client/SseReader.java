package dev.agentkernel.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events frames from a byte stream as the HTML standard's parser does: lines
 * end with LF, CR or CRLF (wherever the chunks of the transport split them); {@code event:}
 * sets the type, each {@code data:} adds a line; lines starting with {@code :} (comments such
 * as the server's {@code : keep-alive}) and other fields are ignored; a blank line ends a
 * frame; a frame without data is dropped, as is an unfinished frame at the end. Not
 * thread-safe. Package-private.
 */
final class SseReader {

    /** One frame: its type ({@code message} if none was given) and its data lines joined by LF. */
    record Frame(String event, String data) {
    }

    /** Longest line accepted; an output event carries at most a pipe's chunk, far less. */
    static final int MAX_LINE = 16 * 1024 * 1024;

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean afterCr;
    private boolean first = true;

    SseReader(InputStream in) {
        this.in = new BufferedInputStream(in, 16 * 1024);
    }

    /**
     * The next frame, or null at the end of the stream.
     *
     * @throws IOException if reading fails or a line is longer than {@link #MAX_LINE}
     */
    Frame next() throws IOException {
        String type = "";
        StringBuilder data = null;
        for (String l; (l = readLine()) != null; ) {
            if (l.isEmpty()) {
                if (data != null) {
                    data.setLength(data.length() - 1); // the last line's LF
                    return new Frame(type.isEmpty() ? "message" : type, data.toString());
                }
                type = "";
                continue;
            }
            if (l.charAt(0) == ':') {
                continue;
            }
            int colon = l.indexOf(':');
            String field = colon < 0 ? l : l.substring(0, colon);
            String value = colon < 0 ? "" : l.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "data" -> (data == null ? data = new StringBuilder() : data).append(value).append('\n');
                default -> {
                    // id, retry and unknown fields do not matter to a client that never reconnects
                }
            }
        }
        return null;
    }

    /** The next line without its terminator, or null at the end of the stream (an unfinished line is dropped). */
    private String readLine() throws IOException {
        line.reset();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                afterCr = b == '\r';
                String text = line.toString(StandardCharsets.UTF_8);
                if (first) {
                    first = false;
                    if (text.startsWith("\uFEFF")) {
                        text = text.substring(1);
                    }
                }
                return text;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("an event stream line is longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }
}
