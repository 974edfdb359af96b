package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Tenants;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The resolver's TCP socket (RFC 7766 framing: a two-byte length before each message): one
 * virtual thread per connection, its queries answered in turn. A connection from no sandbox
 * under a policy is closed at once; an open connection holds one of its sandbox's slots, and is
 * closed after {@code idleMillis} without a query.
 */
final class TcpEndpoint {

    private static final System.Logger LOG = System.getLogger(TcpEndpoint.class.getName());

    private final ServerSocket server;
    private final Tenants tenants;
    private final TenantSlots slots;
    private final QueryAnswerer answerer;
    private final ExecutorService workers;
    private final int idleMillis;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    TcpEndpoint(ServerSocket server, Tenants tenants, TenantSlots slots, QueryAnswerer answerer,
                ExecutorService workers, int idleMillis) {
        this.server = server;
        this.tenants = tenants;
        this.slots = slots;
        this.answerer = answerer;
        this.workers = workers;
        this.idleMillis = idleMillis;
    }

    /** Accepts connections until the socket is closed. */
    void serve() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "egress DNS: TCP accept failed", e);
                }
                continue;
            }
            Optional<Tenant> tenant;
            try {
                tenant = tenants.bySource(socket.getInetAddress());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "egress DNS: finding the sandbox at " + socket.getInetAddress()
                        + " failed", e);
                tenant = Optional.empty();
            }
            if (tenant.isEmpty() || !slots.tryAcquire(tenant.get().sandbox())) {
                closeQuietly(socket);
                continue;
            }
            Tenant owner = tenant.get();
            open.add(socket);
            try {
                workers.execute(() -> {
                    try {
                        converse(owner, socket);
                    } finally {
                        open.remove(socket);
                        closeQuietly(socket);
                        slots.release(owner.sandbox());
                    }
                });
            } catch (RejectedExecutionException e) {
                open.remove(socket);
                closeQuietly(socket);
                slots.release(owner.sandbox());
            }
        }
    }

    /** Closes the connections still open (the server socket is closed by its owner). */
    void closeConnections() {
        open.forEach(TcpEndpoint::closeQuietly);
    }

    private void converse(Tenant tenant, Socket socket) {
        try {
            socket.setSoTimeout(idleMillis);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                byte[] query = new byte[length];
                in.readFully(query);
                Optional<byte[]> answer = answerer.answer(tenant, query, false);
                if (answer.isEmpty()) {
                    return;
                }
                byte[] bytes = answer.get();
                byte[] framed = new byte[bytes.length + 2];
                framed[0] = (byte) (bytes.length >>> 8);
                framed[1] = (byte) bytes.length;
                System.arraycopy(bytes, 0, framed, 2, bytes.length);
                out.write(framed);
                out.flush();
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                LOG.log(System.Logger.Level.DEBUG, "egress DNS: TCP connection of " + tenant.sandbox() + " failed", e);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
