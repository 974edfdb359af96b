package dev.agentkernel.egress.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The head of one HTTP/1.x request: request line and header fields, as bytes read (ISO-8859-1,
 * so every byte maps to one char and back).
 *
 * @param method  the method, e.g. {@code GET} or {@code CONNECT}
 * @param target  the request target: origin-form ({@code /x}), absolute-form
 *                ({@code http://h:p/x}) or authority-form ({@code h:p}, CONNECT)
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers the header fields in order
 */
record RequestHead(String method, String target, String version, List<Header> headers) {

    /** The default bound of a request head. */
    static final int MAX_HEAD = 64 * 1024;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final int MAX_HEADERS = 200;

    /**
     * One header field.
     *
     * @param name  its name as sent
     * @param value its value, surrounding white space removed
     */
    record Header(String name, String value) {

        /** Whether this field is named {@code other} (case-insensitive). */
        boolean is(String other) {
            return name.equalsIgnoreCase(other);
        }
    }

    /** Copies. */
    RequestHead {
        headers = List.copyOf(headers);
    }

    /**
     * Reads a request head of at most {@code max} bytes (the lines and their ends).
     *
     * @return the head; null if the input ended before its first byte (a client that closed a kept-alive connection)
     * @throws HttpProblem 400 for a malformed head, 431 for one longer than {@code max}, 505 for a version other than HTTP/1.x
     */
    static RequestHead read(HttpInput in, int max) throws IOException {
        int left = max;
        byte[] line;
        do {
            line = in.readLine(left);
            if (line == null) {
                return null;
            }
            left -= line.length + 2;
        } while (line.length == 0 && left > 0);
        String requestLine = latin1(line);
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || parts[1].isEmpty()
                || !parts[1].chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new HttpProblem(400, "the request line is not 'METHOD TARGET HTTP/1.1'");
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
            throw new HttpProblem(505, "only HTTP/1.1 and HTTP/1.0 are served here, not '" + printable(parts[2]) + "'");
        }
        List<Header> headers = new ArrayList<>();
        while (true) {
            if (left <= 0) {
                throw new HttpProblem(431, "the request head is longer than " + max + " bytes");
            }
            byte[] field = in.readLine(left);
            if (field == null) {
                throw new HttpProblem(400, "the connection ended inside the request head");
            }
            left -= field.length + 2;
            if (field.length == 0) {
                break;
            }
            String text = latin1(field);
            if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
                throw new HttpProblem(400, "folded header lines (obs-fold) are not accepted");
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(text.substring(0, colon)).matches()) {
                throw new HttpProblem(400, "a header line is not 'Name: value'");
            }
            String value = text.substring(colon + 1).strip();
            if (value.chars().anyMatch(c -> c == '\r' || c == 0)) {
                throw new HttpProblem(400, "header " + text.substring(0, colon) + " has a CR or NUL in its value");
            }
            if (headers.size() == MAX_HEADERS) {
                throw new HttpProblem(431, "more than " + MAX_HEADERS + " header fields");
            }
            headers.add(new Header(text.substring(0, colon), value));
        }
        return new RequestHead(parts[0], parts[1], parts[2], headers);
    }

    /** The value of the first field named {@code name}. */
    Optional<String> header(String name) {
        return headers.stream().filter(h -> h.is(name)).map(Header::value).findFirst();
    }

    /** How many fields are named {@code name}. */
    long count(String name) {
        return headers.stream().filter(h -> h.is(name)).count();
    }

    /** Whether a {@code Connection} field lists {@code option}. */
    boolean connectionHas(String option) {
        return headers.stream().filter(h -> h.is("Connection"))
                .flatMap(h -> List.of(h.value().split(",")).stream())
                .anyMatch(o -> o.strip().equalsIgnoreCase(option));
    }

    /**
     * Whether the client asks to switch protocols (WebSocket): after this request the connection
     * carries another protocol, relayed as it is. An HTTP/2 cleartext upgrade ({@code h2c}) is not
     * one: {@link #withoutH2cUpgrade} removes it so that requests stay readable.
     */
    boolean isUpgrade() {
        return connectionHas("upgrade") && count("Upgrade") > 0;
    }

    /** This head without an {@code Upgrade: h2c} offer (and its {@code HTTP2-Settings}); unchanged if it makes none. */
    RequestHead withoutH2cUpgrade() {
        boolean h2c = headers.stream().filter(h -> h.is("Upgrade"))
                .anyMatch(h -> h.value().toLowerCase(Locale.ROOT).contains("h2c"));
        return h2c ? without("Upgrade", "HTTP2-Settings", "Connection") : this;
    }

    /** This head with {@code target} instead. */
    RequestHead withTarget(String newTarget) {
        return new RequestHead(method, newTarget, version, headers);
    }

    /** This head with {@code newHeaders} instead. */
    RequestHead withHeaders(List<Header> newHeaders) {
        return new RequestHead(method, target, version, newHeaders);
    }

    /** This head without the fields named {@code names}. */
    RequestHead without(String... names) {
        List<Header> kept = new ArrayList<>();
        for (Header h : headers) {
            boolean drop = false;
            for (String name : names) {
                drop |= h.is(name);
            }
            if (!drop) {
                kept.add(h);
            }
        }
        return withHeaders(kept);
    }

    /** This head with every field named {@code name} replaced by one with {@code value} (added at the end if none). */
    RequestHead with(String name, String value) {
        List<Header> out = new ArrayList<>();
        boolean set = false;
        for (Header h : headers) {
            if (!h.is(name)) {
                out.add(h);
            } else if (!set) {
                out.add(new Header(h.name(), value));
                set = true;
            }
        }
        if (!set) {
            out.add(new Header(name, value));
        }
        return withHeaders(out);
    }

    /** The head as sent on the wire. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes((method + " " + target + " " + version + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (Header h : headers) {
            out.writeBytes((h.name() + ": " + h.value() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    /** The method in upper case is {@code name}. */
    boolean isMethod(String name) {
        return method.toUpperCase(Locale.ROOT).equals(name);
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
