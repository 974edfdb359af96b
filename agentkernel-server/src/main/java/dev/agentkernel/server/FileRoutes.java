package dev.agentkernel.server;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agentkernel.api.WireJson;
import dev.agentkernel.api.FilesWritten;
import dev.agentkernel.api.WriteFileRequest;
import dev.agentkernel.api.WriteFilesRequest;
import dev.agentkernel.agent.FileStat;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /sandboxes/{name}/files/{path...}}. Paths are the
 * sandbox's own: the agent inside resolves them in the sandbox's mount namespace, so
 * {@code ..}, symbolic links and {@code /proc} tricks can reach only what the sandbox itself
 * sees. Reads are spooled to a private host file (bounded) to decide between {@code utf8} and
 * {@code base64} and then streamed into the response; {@code Accept: application/octet-stream}
 * streams the raw bytes instead, and {@code PUT} with {@code Content-Type:
 * application/octet-stream} streams raw bytes in. Package-private.
 */
final class FileRoutes {

    private static final String OCTET_STREAM = "application/octet-stream";
    private final SandboxManager sandboxes;
    private final Bodies bodies;
    private final Path spoolDir;
    private final long maxFileBytes;

    /**
     * @param spoolDir     private host directory for reads being encoded
     * @param maxFileBytes largest file read or written through JSON or raw bodies (413 above)
     */
    FileRoutes(SandboxManager sandboxes, Bodies bodies, Path spoolDir, long maxFileBytes) {
        this.sandboxes = sandboxes;
        this.bodies = bodies;
        this.spoolDir = spoolDir;
        this.maxFileBytes = maxFileBytes;
    }

    void write(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        String path = path(req);
        long written;
        if (isOctetStream(req)) {
            long declared = req.headers().contentLength().orElse(-1);
            if (declared > maxFileBytes) {
                throw new HttpErrors.PayloadTooLargeException(maxFileBytes);
            }
            try (InputStream in = new Limited(req.content().inputStream(), maxFileBytes)) {
                written = sandboxes.writeFile(name, path, in);
            } catch (HttpErrors.PayloadTooLargeException e) {
                deleteQuietly(name, path);
                throw e;
            } catch (IOException | RuntimeException e) {
                if (e instanceof dev.agentkernel.model.AgentKernelException ak) {
                    throw ak;
                }
                throw new HttpErrors.MalformedBodyException("request body could not be read: it is truncated or its "
                        + "encoding is malformed");
            }
        } else {
            byte[] bytes = Json.read(bodies.read(req), WriteFileRequest.class).bytes();
            if (bytes.length > maxFileBytes) {
                throw new HttpErrors.PayloadTooLargeException("file content is " + bytes.length
                        + " bytes, more than the limit of " + maxFileBytes + " bytes");
            }
            written = sandboxes.writeFile(name, path, new ByteArrayInputStream(bytes));
        }
        Json.send(res, 200, "Wrote " + written + " bytes to " + path);
    }

    /** {@code POST /sandboxes/NAME/files}: several files, each with its parents; the JSON body's limit bounds them together. */
    void writeMany(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        WriteFilesRequest body = Json.read(bodies.read(req), WriteFilesRequest.class);
        java.util.Map<String, byte[]> files = body.contents();
        for (String path : files.keySet()) {
            checkPath(path);
        }
        long bytes = sandboxes.writeFiles(name, files);
        Json.send(res, 200, new FilesWritten(files.size(), bytes));
    }

    void read(ServerRequest req, ServerResponse res) throws IOException {
        String name = SandboxRoutes.name(req);
        String path = path(req);
        FileStat stat = sandboxes.stat(name, path);
        if (stat.type() == FileStat.Type.DIRECTORY) {
            throw new InvalidRequestException(path + " is a directory; read a file");
        }
        if (stat.type() != FileStat.Type.FILE) {
            throw new InvalidRequestException(path + " is not a regular file");
        }
        if (wantsOctetStream(req)) {
            res.header(HeaderNames.CONTENT_TYPE, OCTET_STREAM);
            try (OutputStream out = res.outputStream()) {
                sandboxes.readFile(name, path, out);
            }
            return;
        }
        if (stat.size() > maxFileBytes) {
            throw new HttpErrors.PayloadTooLargeException("file " + path + " is " + stat.size()
                    + " bytes, more than the " + maxFileBytes + " a JSON response carries; read it with "
                    + "'Accept: application/octet-stream'");
        }
        Files.createDirectories(spoolDir);
        Path spool = Files.createTempFile(spoolDir, "read-", ".bin");
        try {
            long size;
            try (OutputStream out = new Limited.Out(Files.newOutputStream(spool), maxFileBytes)) {
                size = sandboxes.readFile(name, path, out);
            }
            boolean utf8 = isUtf8(spool);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            try (OutputStream out = res.outputStream();
                 JsonGenerator json = WireJson.mapper().getFactory().createGenerator(out)) {
                json.writeStartObject();
                json.writeBooleanField("success", true);
                json.writeObjectFieldStart("data");
                json.writeFieldName("content");
                if (utf8) {
                    try (Reader reader = Files.newBufferedReader(spool, StandardCharsets.UTF_8)) {
                        json.writeString(reader, -1);
                    }
                } else {
                    try (InputStream in = Files.newInputStream(spool)) {
                        json.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, in, (int) size);
                    }
                }
                json.writeStringField("encoding", utf8 ? "utf8" : "base64");
                json.writeNumberField("size", size);
                json.writeEndObject();
                json.writeEndObject();
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    void delete(ServerRequest req, ServerResponse res) {
        String name = SandboxRoutes.name(req);
        String path = path(req);
        sandboxes.deleteFile(name, path);
        Json.send(res, 200, "Deleted " + path);
    }

    private void deleteQuietly(String name, String path) {
        try {
            sandboxes.deleteFile(name, path);
        } catch (RuntimeException ignored) {
            // best effort: the write was refused anyway
        }
    }

    /** The sandbox path: {@code /} + the rest of the URL path. */
    static String path(ServerRequest req) {
        String rest = req.path().pathParameters().get("path");
        return checkPath("/" + rest);
    }

    private static String checkPath(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new InvalidRequestException("file path must not contain NUL bytes");
        }
        if (path.length() > 4096) {
            throw new InvalidRequestException("file path is longer than 4096 characters");
        }
        return dev.agentkernel.model.SandboxPaths.requireNameLengths(path, "file path");
    }

    private static boolean isOctetStream(ServerRequest req) {
        try {
            return req.headers().contentType().map(HttpMediaType::mediaType)
                    .map(m -> m.text().equalsIgnoreCase(OCTET_STREAM)).orElse(false);
        } catch (RuntimeException e) { // RequestGuard answers 415 first; this only keeps a parse failure from being a 500
            throw new InvalidRequestException("Content-Type cannot be parsed: send application/json or application/octet-stream");
        }
    }

    private static boolean wantsOctetStream(ServerRequest req) {
        return req.headers().first(HeaderNames.ACCEPT).map(a -> a.toLowerCase(java.util.Locale.ROOT)
                .contains(OCTET_STREAM) && !a.contains("json")).orElse(false);
    }

    /** Whether a file is valid UTF-8 without NUL bytes (text a person or agent can read as JSON). */
    static boolean isUtf8(Path file) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        CharBuffer out = CharBuffer.allocate(64 * 1024);
        try (var channel = Files.newByteChannel(file)) {
            while (true) {
                int n = channel.read(in);
                in.flip();
                for (int i = in.position(); i < in.limit(); i++) {
                    if (in.get(i) == 0) {
                        return false;
                    }
                }
                var result = decoder.decode(in, out, n < 0);
                if (result.isError()) {
                    return false;
                }
                out.clear();
                in.compact();
                if (n < 0) {
                    if (decoder.flush(out).isError() || in.position() > 0) {
                        return false;
                    }
                    return true;
                }
            }
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Jackson's Base64 variant without line feeds. */
    private static final class Base64Variants {
        static final com.fasterxml.jackson.core.Base64Variant MIME_NO_LINEFEEDS =
                com.fasterxml.jackson.core.Base64Variants.MIME_NO_LINEFEEDS;
    }

    /** An input stream that refuses to deliver more than a limit. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) {
            count += n;
            if (count > limit) {
                throw new HttpErrors.PayloadTooLargeException(limit);
            }
        }

        /** An output stream that refuses to take more than a limit. */
        static final class Out extends java.io.FilterOutputStream {
            private final long limit;
            private long count;

            Out(OutputStream out, long limit) {
                super(out);
                this.limit = limit;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                count += len;
                if (count > limit) {
                    throw new UncheckedIOException(new IOException("file grew beyond " + limit + " bytes while read"));
                }
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        }
    }
}
