package dev.agentkernel.egress.proxy;

import dev.agentkernel.egress.NameResolver;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Where the proxy connects for a sandbox: the policy's verdict on a destination, the name
 * resolved as the sandbox's own DNS would answer, the addresses the policy refuses left out, then
 * a TCP connection (and, to look inside, TLS verified for the name).
 */
final class Upstream {

    private final NameResolver resolver;
    private final SSLContext tls;
    private final Duration connectTimeout;

    Upstream(NameResolver resolver, SSLContext tls, Duration connectTimeout) {
        this.resolver = resolver;
        this.tls = tls;
        this.connectTimeout = connectTimeout;
    }

    /** Why the policy refuses {@code destination} (by name or literal address, and port); empty if it does not. */
    static Optional<Verdict.Refused> check(Tenant tenant, Authority destination) {
        Verdict verdict;
        if (destination.isIpv6()) {
            verdict = new Verdict.Refused("IPv6 is not available to sandboxes");
        } else if (destination.isIpv4()) {
            verdict = tenant.rules().address(literal(destination.host()));
        } else {
            verdict = tenant.rules().name(destination.host());
        }
        if (verdict.allowed()) {
            verdict = tenant.rules().port(destination.port());
        }
        return verdict instanceof Verdict.Refused refused ? Optional.of(refused) : Optional.empty();
    }

    /** A destination the policy refuses once its name is resolved (every address it has is denied). */
    static final class Refused extends IOException {
        private final String rule;

        Refused(String rule) {
            super(rule, null);
            this.rule = rule;
        }

        String rule() {
            return rule;
        }
    }

    /**
     * A TCP connection to {@code destination}, which {@link #check} allowed: a literal address as
     * is, a name through the resolver (the first reachable of its addresses that the policy allows).
     *
     * @throws Refused            if the policy refuses every address the name has
     * @throws UnknownHostException if the name has no address
     * @throws IOException        if no address could be reached
     */
    Socket connect(Tenant tenant, Authority destination) throws IOException {
        List<Inet4Address> addresses = new ArrayList<>();
        if (destination.isIpv4()) {
            addresses.add(literal(destination.host()));
        } else {
            String firstRule = null;
            for (Inet4Address address : resolver.resolve(tenant, destination.host())) {
                Verdict verdict = tenant.rules().resolvedAddress(address);
                if (verdict instanceof Verdict.Refused refused) {
                    firstRule = firstRule == null ? refused.rule() + " (" + address.getHostAddress() + ")" : firstRule;
                } else {
                    addresses.add(address);
                }
            }
            if (addresses.isEmpty()) {
                if (firstRule != null) {
                    throw new Refused(firstRule);
                }
                throw new UnknownHostException(destination.host() + " has no address");
            }
        }
        IOException last = null;
        for (Inet4Address address : addresses) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, destination.port()), (int) connectTimeout.toMillis());
                socket.setTcpNoDelay(true);
                return socket;
            } catch (IOException e) {
                OpenConnections.quietlyClose(socket);
                last = new IOException("cannot connect to " + destination + " (" + address.getHostAddress() + "): "
                        + e.getMessage(), e);
            }
        }
        throw last;
    }

    /**
     * TLS over {@code socket} to {@code destination}, verified for its name (or address) with the
     * upstream trust, speaking HTTP/1.1.
     *
     * @throws IOException if the handshake fails (the message says why, e.g. an untrusted certificate)
     */
    SSLSocket tls(Socket socket, Authority destination) throws IOException {
        SSLSocket tlsSocket = (SSLSocket) tls.getSocketFactory().createSocket(socket, destination.host(), destination.port(), true);
        SSLParameters parameters = tlsSocket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!destination.isIpv4()) {
            parameters.setServerNames(List.of(new SNIHostName(destination.host())));
        }
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        tlsSocket.setSSLParameters(parameters);
        tlsSocket.setSoTimeout((int) connectTimeout.toMillis());
        tlsSocket.startHandshake();
        tlsSocket.setSoTimeout(0);
        return tlsSocket;
    }

    private static Inet4Address literal(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException | ClassCastException e) {
            throw new IllegalArgumentException("not an IPv4 literal: " + dotted, e);
        }
    }
}
