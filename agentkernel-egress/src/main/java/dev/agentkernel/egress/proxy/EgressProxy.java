package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.NameResolver;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Tenants;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * The host-side egress proxy of sandboxes under a network policy. It listens on two ports of one
 * address (chosen by the system): the host's packet filter sends a sandbox's TCP port 80 to
 * {@link #httpPort()} and its port 443 to {@link #tlsPort()}; programs may also use
 * {@link #httpPort()} as an explicit HTTP proxy (absolute-form requests and {@code CONNECT}).
 *
 * <p>The sandbox is the connection's source address ({@link Tenants#bySource}); a connection from
 * no sandbox is closed at once. The original destination address is not known: the proxy goes to
 * the name the client asked for (HTTP {@code Host}, the request target, TLS SNI), checked against
 * the sandbox's rules and resolved as the sandbox's own DNS would answer ({@link NameResolver}).
 * Refused: {@code 403} with the rule (over TLS with a certificate of {@link CertificateAuthority}),
 * reported to {@link EgressEvents#refused}. Allowed TLS is relayed as it is, not decrypted, unless
 * the sandbox has secrets: then every HTTPS connection is terminated, requests are read one by one,
 * placeholders are replaced by values for the hosts a secret is granted for, and requests go on over
 * TLS verified with the upstream trust.
 *
 * <p>Closing stops both listeners and closes every relayed connection.
 */
public final class EgressProxy implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EgressProxy.class.getName());

    /**
     * Settings of a proxy; {@link #defaults()} are those of production.
     *
     * @param httpUpstreamPort the port plain HTTP requests without a port go to (80; tests point it elsewhere)
     * @param tlsUpstreamPort  the port connections to the TLS port go to (443; tests point it elsewhere)
     * @param connectTimeout   how long connecting upstream (and its TLS handshake) may take
     * @param clientTimeout    how long a client may take to send its ClientHello, its first request head, or to
     *                         finish the TLS handshake with the proxy
     * @param maxBody          the largest request body that is read whole to put secrets in it
     */
    public record Options(int httpUpstreamPort, int tlsUpstreamPort, Duration connectTimeout, Duration clientTimeout,
                          int maxBody) {

        /** Validates. */
        public Options {
            if (httpUpstreamPort < 1 || httpUpstreamPort > 65535 || tlsUpstreamPort < 1 || tlsUpstreamPort > 65535) {
                throw new IllegalArgumentException("upstream ports must be in 1..65535");
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(clientTimeout, "clientTimeout");
            if (maxBody < 0) {
                throw new IllegalArgumentException("maxBody must not be negative");
            }
        }

        /** Ports 80 and 443, 10 s to connect, 30 s for a client, bodies up to 8 MiB. */
        public static Options defaults() {
            return new Options(80, 443, Duration.ofSeconds(10), Duration.ofSeconds(30), 8 * 1024 * 1024);
        }

        /** These options with other upstream ports. */
        public Options withUpstreamPorts(int http, int tls) {
            return new Options(http, tls, connectTimeout, clientTimeout, maxBody);
        }
    }

    private final ServerSocket http;
    private final ServerSocket tls;
    private final Tenants tenants;
    private final OpenConnections connections;
    private final HttpFront httpFront;
    private final TlsFront tlsFront;
    private final List<Thread> acceptors = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private EgressProxy(ServerSocket http, ServerSocket tls, Tenants tenants, Proxying proxying) {
        this.http = http;
        this.tls = tls;
        this.tenants = tenants;
        this.connections = proxying.connections();
        this.tlsFront = new TlsFront(proxying);
        this.httpFront = new HttpFront(proxying, tlsFront);
    }

    /** {@link #start(InetAddress, Tenants, NameResolver, CertificateAuthority, SSLContext, EgressEvents, Options)} with {@link Options#defaults()}. */
    public static EgressProxy start(InetAddress bind, Tenants tenants, NameResolver resolver, CertificateAuthority ca,
                                    SSLContext upstreamTls, EgressEvents events) throws IOException {
        return start(bind, tenants, resolver, ca, upstreamTls, events, Options.defaults());
    }

    /**
     * Listens on two new ports of {@code bind} and serves them on virtual threads.
     *
     * @param bind        the address to listen on (the bridge's gateway address)
     * @param tenants     the sandboxes by source address
     * @param resolver    names as each sandbox's DNS answers them
     * @param ca          the certificates presented when the proxy terminates TLS
     * @param upstreamTls the trust for upstream TLS when the proxy terminates a connection (the host's usual trust)
     * @param events      where refusals and withheld placeholders go
     * @param options     ports and bounds
     * @throws IOException if a port cannot be bound; nothing is left open then
     */
    public static EgressProxy start(InetAddress bind, Tenants tenants, NameResolver resolver, CertificateAuthority ca,
                                    SSLContext upstreamTls, EgressEvents events, Options options) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(upstreamTls, "upstreamTls");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(options, "options");
        ServerSocket http = new ServerSocket();
        ServerSocket tls = new ServerSocket();
        try {
            http.bind(new InetSocketAddress(bind, 0), 512);
            tls.bind(new InetSocketAddress(bind, 0), 512);
        } catch (IOException e) {
            OpenConnections.quietlyClose(http);
            OpenConnections.quietlyClose(tls);
            throw new IOException("egress proxy: cannot listen on " + bind.getHostAddress() + ": " + e.getMessage(), e);
        }
        Proxying proxying = new Proxying(new Upstream(resolver, upstreamTls, options.connectTimeout()), ca, events, options,
                new OpenConnections(), new RequestForwarder(options.maxBody()));
        EgressProxy proxy = new EgressProxy(http, tls, tenants, proxying);
        proxy.acceptors.add(Thread.ofVirtual().name("egress-http-accept").start(() -> proxy.accept(http, "http")));
        proxy.acceptors.add(Thread.ofVirtual().name("egress-tls-accept").start(() -> proxy.accept(tls, "tls")));
        return proxy;
    }

    /** The port of plain HTTP (the sandbox's port 80, and explicit proxy use). */
    public int httpPort() {
        return http.getLocalPort();
    }

    /** The port of TLS (the sandbox's port 443). */
    public int tlsPort() {
        return tls.getLocalPort();
    }

    /**
     * Stops listening and closes every connection the proxy holds; returns when the ports are
     * closed (a listener's socket is released only once its accepting thread has left it).
     */
    @Override
    public void close() {
        closed = true;
        OpenConnections.quietlyClose(http);
        OpenConnections.quietlyClose(tls);
        connections.closeAll();
        boolean interrupted = false;
        for (Thread acceptor : acceptors) {
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        connections.closeAll();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept(ServerSocket server, String kind) {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "egress proxy (" + kind + "): cannot accept: " + e.getMessage());
                }
                continue;
            }
            Thread.ofVirtual().name("egress-" + kind).start(() -> serve(socket, kind));
        }
    }

    private void serve(Socket socket, String kind) {
        try {
            connections.hold(socket);
            Optional<Tenant> tenant = tenants.bySource(socket.getInetAddress());
            if (tenant.isEmpty()) {
                return;
            }
            socket.setTcpNoDelay(true);
            if (kind.equals("http")) {
                httpFront.serve(socket, tenant.get());
            } else {
                tlsFront.serve(socket, tenant.get());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "egress proxy (" + kind + "): " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "egress proxy (" + kind + "): connection from "
                    + socket.getInetAddress().getHostAddress() + " failed: " + e);
        } finally {
            connections.release(socket);
        }
    }
}
