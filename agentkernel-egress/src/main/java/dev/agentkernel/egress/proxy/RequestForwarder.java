package dev.agentkernel.egress.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Sends one request upstream: its head with the secrets of its {@link Placeholders.Scope} put in,
 * then its body, framed as the client framed it ({@code Content-Length} or chunked). A body whose
 * placeholders must be replaced is read whole (up to a bound) and sent with a new
 * {@code Content-Length}; any other body is streamed as it comes, looked at for placeholders of
 * grants that do not cover the host.
 */
final class RequestForwarder {

    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxBody;

    RequestForwarder(int maxBody) {
        this.maxBody = maxBody;
    }

    /**
     * Forwards {@code head} and the body that follows it in {@code in} to {@code upstream}.
     *
     * @param withheld receives the names of grants whose placeholders were sent to a host they do not cover
     * @throws HttpProblem for a body that is malformed (400), too large to rewrite (413) or framed unknown (501);
     *                     nothing of the request was sent upstream when the head is at fault
     */
    void forward(RequestHead head, HttpInput in, OutputStream upstream, Placeholders.Scope scope, Set<String> withheld)
            throws IOException {
        boolean chunked = false;
        long length = 0;
        if (head.count("Transfer-Encoding") > 0) {
            if (head.count("Content-Length") > 0) {
                throw new HttpProblem(400, "a request with both Transfer-Encoding and Content-Length is not accepted");
            }
            String codings = String.join(",", head.headers().stream().filter(h -> h.is("Transfer-Encoding"))
                    .map(RequestHead.Header::value).toList()).toLowerCase(Locale.ROOT).replace(" ", "");
            if (!codings.equals("chunked")) {
                throw new HttpProblem(501, "only the 'chunked' transfer coding is accepted for request bodies");
            }
            chunked = true;
        } else if (head.count("Content-Length") > 0) {
            String value = head.header("Content-Length").orElseThrow();
            boolean same = head.headers().stream().filter(h -> h.is("Content-Length")).allMatch(h -> h.value().equals(value));
            try {
                length = same && value.matches("\\d{1,18}") ? Long.parseLong(value) : -1;
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                throw new HttpProblem(400, "Content-Length is not one non-negative number");
            }
        }
        boolean hasBody = chunked || length > 0;
        RequestHead rewritten = scope.rewrite(head, withheld);
        if (hasBody && scope.rewritesBody()) {
            byte[] body = chunked ? readChunked(in) : readExactly(in, length);
            Placeholders.BodyScanner scanner = scope.scanner();
            scanner.feed(body, 0, body.length);
            withheld.addAll(scanner.found());
            byte[] replaced = scope.rewriteBody(body);
            RequestHead sent = rewritten.without("Transfer-Encoding", "Expect")
                    .with("Content-Length", Integer.toString(replaced.length));
            upstream.write(sent.encode());
            upstream.write(replaced);
            upstream.flush();
            return;
        }
        upstream.write(rewritten.encode());
        Placeholders.BodyScanner scanner = scope.scanner();
        if (chunked) {
            copyChunked(in, upstream, scanner);
        } else if (length > 0) {
            copy(in, upstream, length, scanner);
        }
        upstream.flush();
        withheld.addAll(scanner.found());
    }

    private byte[] readExactly(HttpInput in, long length) throws IOException {
        if (length > maxBody) {
            throw new HttpProblem(413, "a request body in which secrets are put is limited to " + maxBody + " bytes");
        }
        byte[] body = new byte[(int) length];
        in.readFully(body, 0, body.length);
        return body;
    }

    private byte[] readChunked(HttpInput in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            long size = chunkSize(in);
            if (size == 0) {
                skipTrailers(in);
                return body.toByteArray();
            }
            if (body.size() + size > maxBody) {
                throw new HttpProblem(413, "a request body in which secrets are put is limited to " + maxBody + " bytes");
            }
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buffer.length, left);
                in.readFully(buffer, 0, n);
                body.write(buffer, 0, n);
                left -= n;
            }
            chunkEnd(in);
        }
    }

    private static void copyChunked(HttpInput in, OutputStream out, Placeholders.BodyScanner scanner) throws IOException {
        while (true) {
            long size = chunkSize(in);
            out.write((Long.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (size == 0) {
                while (true) {
                    byte[] trailer = in.readLine(MAX_CHUNK_LINE);
                    if (trailer == null) {
                        throw new HttpProblem(400, "the connection ended inside the chunked body's trailers");
                    }
                    out.write(trailer);
                    out.write(new byte[] {'\r', '\n'});
                    if (trailer.length == 0) {
                        return;
                    }
                }
            }
            copy(in, out, size, scanner);
            chunkEnd(in);
            out.write(new byte[] {'\r', '\n'});
        }
    }

    private static void copy(HttpInput in, OutputStream out, long length, Placeholders.BodyScanner scanner) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new HttpProblem(400, "the connection ended inside the request body");
            }
            scanner.feed(buffer, 0, n);
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static long chunkSize(HttpInput in) throws IOException {
        byte[] line = in.readLine(MAX_CHUNK_LINE);
        if (line == null) {
            throw new HttpProblem(400, "the connection ended inside the chunked body");
        }
        String text = new String(line, StandardCharsets.ISO_8859_1);
        int semicolon = text.indexOf(';');
        String hex = (semicolon < 0 ? text : text.substring(0, semicolon)).strip();
        if (!hex.matches("[0-9a-fA-F]{1,15}")) {
            throw new HttpProblem(400, "a chunk size is not a hexadecimal number");
        }
        return Long.parseLong(hex, 16);
    }

    private static void chunkEnd(HttpInput in) throws IOException {
        byte[] end = in.readLine(MAX_CHUNK_LINE);
        if (end == null || end.length != 0) {
            throw new HttpProblem(400, "a chunk does not end with CRLF");
        }
    }

    private static void skipTrailers(HttpInput in) throws IOException {
        byte[] line;
        do {
            line = in.readLine(MAX_CHUNK_LINE);
            if (line == null) {
                throw new HttpProblem(400, "the connection ended inside the chunked body's trailers");
            }
        } while (line.length != 0);
    }
}
