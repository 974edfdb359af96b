package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.Refusal;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The proxy's TLS port (the sandbox's port 443, redirected) and TLS inside CONNECT tunnels: the
 * ClientHello is read without being consumed and its server name decides. No name: a TLS
 * {@code access_denied} alert at once. A refused name: TLS with a certificate of the daemon's
 * authority and a 403 that names the rule. An allowed name: the same bytes relayed to the name's
 * address, untouched, unless the sandbox has secrets; then TLS is terminated on both sides and the
 * requests go through {@link InterceptedSession}.
 */
final class TlsFront {

    /** A fatal TLS alert, access_denied (49), in a TLS 1.2 record. */
    private static final byte[] ACCESS_DENIED = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 49};

    private final Proxying proxying;

    TlsFront(Proxying proxying) {
        this.proxying = proxying;
    }

    /** The first bytes of a connection and what they say; {@code result} null if the client closed first. */
    private record Peek(byte[] bytes, SniReader.Result result) {
    }

    void serve(Socket client, Tenant tenant) throws IOException {
        client.setSoTimeout((int) proxying.options().clientTimeout().toMillis());
        Peek peek = peek(client.getInputStream());
        int port = proxying.options().tlsUpstreamPort();
        Optional<String> name = peek.result() instanceof SniReader.Hello hello ? hello.serverName() : Optional.empty();
        Optional<Authority> destination = name.flatMap(n -> authority(n, port));
        if (destination.isEmpty() || destination.get().isIpv4()) {
            if (peek.result() == null) {
                return;
            }
            String shown = peek.result() instanceof SniReader.NotTls ? "(not TLS)" : name.orElse("(no server name)");
            String rule = peek.result() instanceof SniReader.NotTls ? "not a TLS ClientHello: its destination is unknown"
                    : "no server name (SNI) in the ClientHello: its destination is unknown";
            proxying.events().refused(new Refusal(tenant.sandbox(), shown, port, "tls", rule));
            if (peek.result() instanceof SniReader.Hello) {
                client.getOutputStream().write(ACCESS_DENIED);
                client.getOutputStream().flush();
            }
            return;
        }
        Authority to = destination.get();
        Optional<Verdict.Refused> refused = Upstream.check(tenant, to);
        if (refused.isPresent()) {
            refuse(client, peek.bytes(), tenant, to, "tls", refused.get().rule());
            return;
        }
        Socket up;
        try {
            up = proxying.connections().hold(proxying.upstream().connect(tenant, to));
        } catch (Upstream.Refused e) {
            refuse(client, peek.bytes(), tenant, to, "tls", e.rule());
            return;
        } catch (UnknownHostException e) {
            answerOverTls(client, peek.bytes(), to.host(), 502, "AgentKernel egress proxy: " + to.host()
                    + " has no address for sandbox " + tenant.sandbox() + "\n", null);
            return;
        } catch (IOException e) {
            answerOverTls(client, peek.bytes(), to.host(), 502, "AgentKernel egress proxy: " + e.getMessage() + "\n", null);
            return;
        }
        try {
            if (new Placeholders(tenant.secrets()).any()) {
                intercept(client, peek.bytes(), tenant, to, up);
            } else {
                client.setSoTimeout(0);
                up.getOutputStream().write(peek.bytes());
                up.getOutputStream().flush();
                Relay.both(client, client.getInputStream(), up);
            }
        } finally {
            proxying.connections().release(up);
        }
    }

    /**
     * A CONNECT tunnel to {@code destination}, already connected to {@code up} and answered 200:
     * relayed as it is, unless the sandbox has secrets and the tunnel starts with a ClientHello;
     * then TLS is terminated (a server name other than the CONNECT host is refused).
     */
    void tunnel(Socket client, HttpInput in, Tenant tenant, Authority destination, Socket up) throws IOException {
        if (!new Placeholders(tenant.secrets()).any()) {
            Relay.both(client, in, up);
            return;
        }
        client.setSoTimeout((int) proxying.options().clientTimeout().toMillis());
        Peek peek = peek(in);
        byte[] rest = in.takeBuffered();
        byte[] consumed = Arrays.copyOf(peek.bytes(), peek.bytes().length + rest.length);
        System.arraycopy(rest, 0, consumed, peek.bytes().length, rest.length);
        if (!(peek.result() instanceof SniReader.Hello hello)) {
            if (peek.result() == null && consumed.length == 0) {
                return;
            }
            client.setSoTimeout(0);
            up.getOutputStream().write(consumed);
            up.getOutputStream().flush();
            Relay.both(client, in, up);
            return;
        }
        if (hello.serverName().isPresent() && !hello.serverName().get().equals(destination.host())) {
            String rule = "TLS server name " + hello.serverName().get() + " is not the CONNECT host " + destination.host();
            proxying.events().refused(new Refusal(tenant.sandbox(), hello.serverName().get(), destination.port(), "connect", rule));
            answerOverTls(client, consumed, hello.serverName().get(), 403,
                    Answers.refusalText(hello.serverName().get(), destination.port(), rule, tenant.sandbox()), rule);
            return;
        }
        intercept(client, consumed, tenant, destination, up);
    }

    /** TLS terminated with the client and opened to the upstream, then the requests in between. */
    private void intercept(Socket client, byte[] consumed, Tenant tenant, Authority destination, Socket up) throws IOException {
        SSLSocket front = terminate(client, consumed, destination.host());
        if (front == null) {
            return;
        }
        SSLSocket back;
        try {
            back = proxying.upstream().tls(up, destination);
        } catch (IOException e) {
            Answers.write(front.getOutputStream(), 502, "AgentKernel egress proxy: TLS to " + destination
                    + " failed: " + e.getMessage() + "\n", null);
            return;
        }
        new InterceptedSession(proxying, tenant, destination).run(front, back);
    }

    private void refuse(Socket client, byte[] consumed, Tenant tenant, Authority destination, String protocol, String rule)
            throws IOException {
        proxying.events().refused(new Refusal(tenant.sandbox(), destination.host(), destination.port(), protocol, rule));
        answerOverTls(client, consumed, destination.host(), 403,
                Answers.refusalText(destination.host(), destination.port(), rule, tenant.sandbox()), rule);
    }

    /** TLS with a certificate for {@code host}, then one answer, then the end (a client that does not trust it just fails). */
    private void answerOverTls(Socket client, byte[] consumed, String host, int status, String text, String rule)
            throws IOException {
        SSLSocket front = terminate(client, consumed, host);
        if (front != null) {
            try {
                Answers.write(front.getOutputStream(), status, text, rule);
            } finally {
                OpenConnections.quietlyClose(front);
            }
        }
    }

    /** The server side of TLS with the client, for {@code host}, HTTP/1.1 only; null if the handshake failed. */
    private SSLSocket terminate(Socket client, byte[] consumed, String host) throws IOException {
        SSLSocket front = (SSLSocket) proxying.ca().serverContextFor(host).getSocketFactory()
                .createSocket(client, new ByteArrayInputStream(consumed), true);
        front.setUseClientMode(false);
        SSLParameters parameters = front.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        front.setSSLParameters(parameters);
        front.setSoTimeout((int) proxying.options().clientTimeout().toMillis());
        try {
            front.startHandshake();
        } catch (IOException e) {
            return null;
        }
        front.setSoTimeout(0);
        return front;
    }

    private static Optional<Authority> authority(String serverName, int port) {
        if (serverName.contains(":") || serverName.contains("[")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Authority.parse(serverName, port));
        } catch (HttpProblem e) {
            return Optional.empty();
        }
    }

    /** Reads until the bytes are a whole ClientHello, something else, or the client closed. */
    private static Peek peek(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        int n = 0;
        while (true) {
            SniReader.Result result = SniReader.read(buffer, 0, n);
            if (!(result instanceof SniReader.Incomplete)) {
                return new Peek(Arrays.copyOf(buffer, n), result);
            }
            if (n == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(SniReader.MAX_HELLO, buffer.length * 2));
            }
            int read = in.read(buffer, n, buffer.length - n);
            if (read < 0) {
                return new Peek(Arrays.copyOf(buffer, n), null);
            }
            n += read;
        }
    }
}
