package dev.agentkernel.egress.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sockets the proxy holds open, so that closing the proxy closes every relayed connection. */
final class OpenConnections {

    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Holds {@code socket} until {@link #release}.
     *
     * @throws IOException (the socket closed) if the proxy is closed already
     */
    <T extends Closeable> T hold(T socket) throws IOException {
        open.add(socket);
        if (closed) {
            release(socket);
            throw new IOException("the egress proxy is closed");
        }
        return socket;
    }

    /** Closes {@code socket} and forgets it. */
    void release(Closeable socket) {
        open.remove(socket);
        quietlyClose(socket);
    }

    /** Closes every held socket and every one held later. */
    void closeAll() {
        closed = true;
        for (Closeable socket : open) {
            release(socket);
        }
    }

    static void quietlyClose(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
