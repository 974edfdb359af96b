package dev.agentkernel.server;

import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies up to a limit; over it, a 413. Package-private. */
final class Bodies {

    private final long limit;

    Bodies(long limit) {
        this.limit = limit;
    }

    byte[] read(ServerRequest req) {
        if (req.headers().contentLength().orElse(0) > limit) {
            throw new HttpErrors.PayloadTooLargeException(limit);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        // Not closed on failure: closing reads on to the entity's end, which a malformed body never reaches
        // (the client would wait for an answer that never comes); the answer closes the connection instead.
        InputStream in = req.content().inputStream();
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > limit) {
                    throw new HttpErrors.PayloadTooLargeException(limit);
                }
            }
            in.close();
        } catch (HttpErrors.PayloadTooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Truncated bodies, bad chunked encoding, ...: the client's fault, said without internals.
            throw new HttpErrors.MalformedBodyException("request body could not be read: it is truncated or its encoding is malformed");
        }
        return out.toByteArray();
    }
}
