package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.AllowedDestinations;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.NameResolver;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Tenants;
import dev.agentkernel.egress.Verdict;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The host-side DNS resolver of sandboxes under a {@link dev.agentkernel.model.NetworkPolicy}.
 * The host's packet filter sends every port-53 packet of such a sandbox (UDP and TCP, whatever
 * resolver it asked) to {@link #port()} on the bind address; the sandbox is the query's source
 * address ({@link Tenants#bySource}; a source that is no sandbox under a policy gets no answer).
 *
 * <p>What it answers (see the package's {@code QueryAnswerer} for the details):
 * <ul>
 *   <li>a malformed name or one the sandbox's rules refuse: {@code REFUSED}, audited through
 *       {@link EgressEvents#refused} (at most one identical refusal per 10 s and 20 per sandbox
 *       per 10 s; the query is answered all the same);</li>
 *   <li>an allowed name, type A: the policy's extra hosts, else the upstream servers (a fresh
 *       query; CNAME chains followed and flattened; only the queried name is checked against the
 *       name rules), without the addresses the address rules refuse (audited); every address
 *       answered is first reported to {@link AllowedDestinations} for its TTL clamped to
 *       [30 s, 1 h]; upstream NXDOMAIN: NXDOMAIN; no usable upstream answer within 2 s:
 *       {@code SERVFAIL};</li>
 *   <li>an allowed name, any other type (AAAA, TXT, MX, SRV, ...): {@code NOERROR} with no record,
 *       never forwarded: sandboxes have no IPv6, and only addresses flow back, which closes DNS
 *       tunnelling through record data. A tunnel through long names under a domain the policy
 *       does not allow is refused before anything goes upstream.</li>
 * </ul>
 * Work is bounded: 64 queries in flight (or TCP connections open) per sandbox, beyond which its
 * queries are dropped; idle TCP connections are closed after 10 s.
 *
 * <p>It is also the {@link NameResolver} of the proxy (same path as an A query; answers kept per
 * sandbox for their TTL; nothing reported to {@link AllowedDestinations} and no event, since the
 * host itself connects and the proxy reports its own refusals).
 *
 * <pre>{@code
 * List<InetSocketAddress> upstream = env != null ? EgressResolver.parseUpstream(env)
 *         : EgressResolver.hostResolvers(Files.readString(Path.of("/etc/resolv.conf")));
 * try (EgressResolver dns = EgressResolver.start(gateway, tenants, upstream, allowed, events)) {
 *     // DNAT sandboxes' port 53 to gateway:dns.port()
 * }
 * }</pre>
 */
public final class EgressResolver implements NameResolver, AutoCloseable {

    /** Queries in flight (and TCP connections open) per sandbox; beyond, its queries are dropped. */
    public static final int MAX_IN_FLIGHT_PER_SANDBOX = 64;
    /** How long all attempts upstream may take for one query before it is answered SERVFAIL. */
    public static final Duration UPSTREAM_BUDGET = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger(EgressResolver.class.getName());
    private static final int BIND_ATTEMPTS = 10;
    private static final int TCP_IDLE_MILLIS = 10_000;
    private static final long AUDIT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int AUDITS_PER_SANDBOX = 20;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final TcpEndpoint tcpEndpoint;
    private final ExecutorService threads;
    private final AddressLookup lookup;

    private EgressResolver(DatagramSocket udp, ServerSocket tcp, TcpEndpoint tcpEndpoint, ExecutorService threads,
                           AddressLookup lookup) {
        this.udp = udp;
        this.tcp = tcp;
        this.tcpEndpoint = tcpEndpoint;
        this.threads = threads;
        this.lookup = lookup;
    }

    /**
     * Binds UDP and TCP on one free port of {@code bind} and starts answering.
     *
     * @param bind     the address to listen on (the bridge's gateway address; loopback in tests)
     * @param tenants  finds the sandbox behind a query's source address
     * @param upstream the DNS servers to forward allowed names to (IPv4; see {@link #hostResolvers}
     *                 and {@link #parseUpstream}); tried in turn
     * @param allowed  told of every address answered, before the answer is sent
     * @param events   told of refused names and addresses
     * @throws IOException if no port free for both UDP and TCP was found (nothing is left open)
     * @throws IllegalArgumentException if {@code upstream} is empty
     */
    public static EgressResolver start(InetAddress bind, Tenants tenants, List<InetSocketAddress> upstream,
                                       AllowedDestinations allowed, EgressEvents events) throws IOException {
        return start(bind, tenants, upstream, allowed, events, UPSTREAM_BUDGET);
    }

    static EgressResolver start(InetAddress bind, Tenants tenants, List<InetSocketAddress> upstream,
                                AllowedDestinations allowed, EgressEvents events, Duration upstreamBudget)
            throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(allowed, "allowed");
        Objects.requireNonNull(events, "events");
        AddressLookup lookup = new AddressLookup(new Upstream(upstream, upstreamBudget),
                new NameCache(256, 1024, System::nanoTime));
        QueryAnswerer answerer = new QueryAnswerer(lookup, allowed,
                new RefusalReporter(events, AUDIT_WINDOW_NANOS, AUDITS_PER_SANDBOX, System::nanoTime));
        TenantSlots slots = new TenantSlots(MAX_IN_FLIGHT_PER_SANDBOX);
        IOException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(bind, 0));
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(bind, udp.getLocalPort()), 128);
            } catch (BindException e) {
                last = e;
                tcp.close();
                udp.close();
                continue;
            } catch (IOException | RuntimeException e) {
                tcp.close();
                udp.close();
                throw e;
            }
            ExecutorService threads = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("egress-dns-", 0).factory());
            TcpEndpoint tcpEndpoint = new TcpEndpoint(tcp, tenants, slots, answerer, threads, TCP_IDLE_MILLIS);
            threads.execute(new UdpEndpoint(udp, tenants, slots, answerer, threads)::serve);
            threads.execute(tcpEndpoint::serve);
            LOG.log(System.Logger.Level.DEBUG, "egress DNS listening on {0}:{1} (UDP and TCP), upstream {2}",
                    bind.getHostAddress(), udp.getLocalPort(), upstream);
            return new EgressResolver(udp, tcp, tcpEndpoint, threads, lookup);
        }
        throw new IOException("egress DNS: no port of " + bind.getHostAddress() + " was free for both UDP and TCP in "
                + BIND_ATTEMPTS + " attempts", last);
    }

    /** The port it answers on, the same for UDP and TCP. */
    public int port() {
        return udp.getLocalPort();
    }

    /**
     * The addresses {@code name} has for {@code tenant}, as its A query would be answered, for the
     * proxy to connect to. Kept per sandbox for their TTL (at most 1 h); the rules are applied on
     * every call.
     *
     * @throws UnknownHostException whose message says why: the name is malformed or refused by
     *                              the policy (the rule), does not exist, has no address the
     *                              policy allows, or upstream did not answer
     */
    @Override
    public List<Inet4Address> resolve(Tenant tenant, String name) throws UnknownHostException {
        Objects.requireNonNull(tenant, "tenant");
        Optional<String> normal = QueryName.normalise(name);
        if (normal.isEmpty()) {
            throw new UnknownHostException(QueryName.forAudit(String.valueOf(name)) + ": refused by the network policy ("
                    + QueryName.MALFORMED + ")");
        }
        if (tenant.rules().name(normal.get()) instanceof Verdict.Refused refused) {
            throw new UnknownHostException(normal.get() + ": refused by the network policy (" + refused.rule() + ")");
        }
        return switch (lookup.lookup(tenant, normal.get(), true)) {
            case LookupResult.NoSuchName n -> throw new UnknownHostException(normal.get() + ": no such name");
            case LookupResult.Failed f -> throw new UnknownHostException(normal.get()
                    + ": the upstream DNS servers gave no answer (" + f.reason() + ")");
            case LookupResult.Found found when found.kept().isEmpty() && !found.dropped().isEmpty() ->
                    throw new UnknownHostException(normal.get() + ": every address is refused by the network policy ("
                            + found.dropped().getFirst().rule() + ")");
            case LookupResult.Found found when found.kept().isEmpty() ->
                    throw new UnknownHostException(normal.get() + ": has no IPv4 address");
            case LookupResult.Found found -> found.kept().stream().map(ResolvedAddress::address).toList();
        };
    }

    /** Stops answering: closes the sockets and open connections and ends its threads (waiting up to 5 s). */
    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "egress DNS: closing the TCP socket failed", e);
        }
        tcpEndpoint.closeConnections();
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "egress DNS: some query threads did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The IPv4 {@code nameserver}s of a resolv.conf text, port 53, in order, loopback ones
     * included (the daemon sends these queries, not the sandboxes, so systemd-resolved's
     * 127.0.0.53 is fine). IPv6 servers are skipped.
     */
    public static List<InetSocketAddress> hostResolvers(String resolvConfText) {
        return hostResolvers(resolvConfText, false);
    }

    /** As {@link #hostResolvers(String)}, leaving out loopback servers if {@code skipLoopback}. */
    public static List<InetSocketAddress> hostResolvers(String resolvConfText, boolean skipLoopback) {
        return UpstreamServers.fromResolvConf(Objects.requireNonNull(resolvConfText, "resolvConfText"), skipLoopback);
    }

    /**
     * Reads {@code IP[:PORT],...} (the value of {@code AGENTKERNEL_EGRESS_DNS}): IPv4 addresses,
     * port 53 unless given.
     *
     * @throws IllegalArgumentException naming the entry that is not of that form
     */
    public static List<InetSocketAddress> parseUpstream(String text) {
        return UpstreamServers.parse(text);
    }
}
