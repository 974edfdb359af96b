package dev.agentkernel.egress.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the server name (SNI) of a TLS ClientHello from the first bytes a client sent, without
 * consuming them: the caller keeps the bytes and replays them to whoever terminates or relays
 * the connection. The ClientHello may be split over several TLS records, and the records over
 * several reads: call {@link #read} again with more bytes while it answers {@link Incomplete}.
 */
public final class SniReader {

    /** The largest ClientHello accepted (handshake message and record headers). */
    public static final int MAX_HELLO = 64 * 1024;

    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int HOST_NAME = 0;

    private SniReader() {
    }

    /** What the bytes read so far say. */
    public sealed interface Result {
    }

    /** More bytes are needed. */
    public record Incomplete() implements Result {
    }

    /**
     * A complete ClientHello.
     *
     * @param serverName the server name it asks for (lower case, no trailing dot); empty if it names none
     */
    public record Hello(Optional<String> serverName) implements Result {
    }

    /**
     * Not a TLS ClientHello (or one this reader refuses).
     *
     * @param why what is wrong, for a log line
     */
    public record NotTls(String why) implements Result {
    }

    private static final Incomplete INCOMPLETE = new Incomplete();

    /** What {@code length} bytes from {@code offset} of {@code data} (the start of a connection) say. */
    public static Result read(byte[] data, int offset, int length) {
        // gather the handshake bytes of the leading handshake records
        byte[] handshake = new byte[Math.min(length, MAX_HELLO)];
        int have = 0;
        int at = offset;
        int end = offset + length;
        int needed = -1;
        while (needed < 0 || have < needed) {
            if (end - at < 5) {
                return incompleteUnlessTooLong(length);
            }
            int type = data[at] & 0xff;
            int major = data[at + 1] & 0xff;
            int recordLength = u16(data, at + 3);
            if (type != HANDSHAKE) {
                return new NotTls(have == 0 ? "not a TLS handshake record (first byte " + type + ")"
                        : "ClientHello interrupted by a record of type " + type);
            }
            if (major != 3) {
                return new NotTls("not a TLS record version (" + major + ")");
            }
            if (recordLength == 0 || recordLength > 16384 + 2048) {
                return new NotTls("TLS record length " + recordLength + " out of range");
            }
            if (end - at - 5 < recordLength) {
                // copy what there is of this record only to check the handshake header early
                int partial = end - at - 5;
                if (needed < 0 && have + partial >= 4) {
                    System.arraycopy(data, at + 5, handshake, have, Math.min(partial, handshake.length - have));
                    Result early = header(handshake);
                    if (early != null) {
                        return early;
                    }
                }
                return incompleteUnlessTooLong(length);
            }
            if (have + recordLength > handshake.length) {
                if (length >= MAX_HELLO) {
                    return new NotTls("ClientHello larger than " + MAX_HELLO + " bytes");
                }
                byte[] bigger = new byte[Math.min(MAX_HELLO, Math.max(handshake.length * 2, have + recordLength))];
                if (have + recordLength > bigger.length) {
                    return new NotTls("ClientHello larger than " + MAX_HELLO + " bytes");
                }
                System.arraycopy(handshake, 0, bigger, 0, have);
                handshake = bigger;
            }
            System.arraycopy(data, at + 5, handshake, have, recordLength);
            have += recordLength;
            at += 5 + recordLength;
            if (needed < 0 && have >= 4) {
                Result bad = header(handshake);
                if (bad != null) {
                    return bad;
                }
                needed = 4 + u24(handshake, 1);
            }
        }
        try {
            return new Hello(serverName(handshake, 4, needed));
        } catch (Malformed e) {
            return new NotTls("malformed ClientHello: " + e.getMessage());
        }
    }

    /** Null if the handshake header starts a ClientHello of an acceptable size, else why not. */
    private static Result header(byte[] handshake) {
        if ((handshake[0] & 0xff) != CLIENT_HELLO) {
            return new NotTls("first handshake message is not a ClientHello (type " + (handshake[0] & 0xff) + ")");
        }
        int size = u24(handshake, 1);
        if (size + 4 > MAX_HELLO - 5) {
            return new NotTls("ClientHello larger than " + MAX_HELLO + " bytes");
        }
        return null;
    }

    private static Result incompleteUnlessTooLong(int length) {
        return length >= MAX_HELLO ? new NotTls("ClientHello larger than " + MAX_HELLO + " bytes") : INCOMPLETE;
    }

    private static Optional<String> serverName(byte[] b, int start, int end) throws Malformed {
        int at = start;
        at = skip(b, at, 2 + 32, end, "version and random");
        at = skip(b, at, 1 + u8(b, at, end), end, "session id");
        at = skip(b, at, 2 + u16(b, at, end), end, "cipher suites");
        at = skip(b, at, 1 + u8(b, at, end), end, "compression methods");
        if (at == end) {
            return Optional.empty();
        }
        int extensionsEnd = at + 2 + u16(b, at, end);
        if (extensionsEnd > end) {
            throw new Malformed("extensions run past the message");
        }
        at += 2;
        while (at < extensionsEnd) {
            int type = u16(b, at, extensionsEnd);
            int size = u16(b, at + 2, extensionsEnd);
            int body = at + 4;
            if (body + size > extensionsEnd) {
                throw new Malformed("extension " + type + " runs past the extensions");
            }
            if (type == SERVER_NAME) {
                return hostName(b, body, body + size);
            }
            at = body + size;
        }
        return Optional.empty();
    }

    private static Optional<String> hostName(byte[] b, int start, int end) throws Malformed {
        int listEnd = start + 2 + u16(b, start, end);
        if (listEnd > end) {
            throw new Malformed("server name list runs past its extension");
        }
        int at = start + 2;
        while (at < listEnd) {
            int type = u8(b, at, listEnd);
            int size = u16(b, at + 1, listEnd);
            if (at + 3 + size > listEnd) {
                throw new Malformed("server name runs past its list");
            }
            if (type == HOST_NAME) {
                String name = new String(b, at + 3, size, StandardCharsets.ISO_8859_1);
                if (size == 0 || size > 255 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw new Malformed("server name is not a printable ASCII name of 1 to 255 characters");
                }
                String host = name.toLowerCase(Locale.ROOT);
                return Optional.of(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
            }
            at += 3 + size;
        }
        return Optional.empty();
    }

    private static int skip(byte[] b, int at, int count, int end, String what) throws Malformed {
        if (at + count > end) {
            throw new Malformed(what + " runs past the message");
        }
        return at + count;
    }

    private static int u8(byte[] b, int at, int end) throws Malformed {
        if (at + 1 > end) {
            throw new Malformed("truncated");
        }
        return b[at] & 0xff;
    }

    private static int u16(byte[] b, int at, int end) throws Malformed {
        if (at + 2 > end) {
            throw new Malformed("truncated");
        }
        return u16(b, at);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int u24(byte[] b, int at) {
        return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
    }

    /** A ClientHello whose fields do not fit together. */
    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
