package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.egress.NameResolver;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.model.SecretGrant;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.dns.EgressResolver;
import dev.agentkernel.egress.proxy.CertificateAuthority;
import dev.agentkernel.egress.proxy.EgressProxy;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.NetworkPolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * Egress control for the sandboxes of one backend that have a {@link NetworkPolicy} or secrets:
 * the resolver and the proxy of {@code agentkernel-egress}, bound to the bridge's own address,
 * the {@link EgressTable} that sends those sandboxes' DNS and web traffic to them and lets the
 * rest through only to allowed destinations, and the kernel-log reader that reports the packet
 * filter's refusals. Started on the first such sandbox; {@link #close} removes the table.
 *
 * <p>The proxy connects from the host itself, so the addresses it may connect to are filtered
 * twice: by the sandbox's rules and by {@code reachable} (never the host's own addresses,
 * loopback, or a private range the backend's {@link EgressPolicy} refuses).
 */
final class EgressGateway implements AutoCloseable {

    /** {@code IP[:PORT],...}: the resolvers our resolver asks (default: those of the host's {@code /etc/resolv.conf}). */
    static final String DNS_ENV = "AGENTKERNEL_EGRESS_DNS";
    /** A PEM file of extra certificate authorities the proxy trusts for upstream TLS (besides the JDK's). */
    static final String CA_ENV = "AGENTKERNEL_EGRESS_CA_FILE";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(EgressGateway.class.getName());

    private final EgressTable table;
    private final EgressResolver resolver;
    private final EgressProxy proxy;
    private final CertificateAuthority ca;
    private final KernelLogRefusals kernelLog;
    private final Map<InetAddress, Tenant> tenants = new ConcurrentHashMap<>();
    private final PassedDestinations passes = new PassedDestinations();

    private EgressGateway(EgressTable table, EgressResolver resolver, EgressProxy proxy, CertificateAuthority ca,
                          KernelLogRefusals kernelLog) {
        this.table = table;
        this.resolver = resolver;
        this.proxy = proxy;
        this.ca = ca;
        this.kernelLog = kernelLog;
    }

    /**
     * Starts the resolver and the proxy on the bridge's address and creates the table.
     *
     * @param reachable whether the host may connect to an address on a sandbox's behalf
     * @throws BackendUnavailableException if any part cannot start, saying why
     */
    static EgressGateway start(HostContext host, Path nft, EgressEvents events, Predicate<InetAddress> reachable) {
        Holder holder = new Holder();
        InetAddress bind;
        try {
            bind = InetAddress.getByName(BridgeNetwork.GATEWAY);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        List<InetSocketAddress> upstream = upstream(host);
        EgressTable table = new EgressTable(nft, EgressTable.tableName(ProcessHandle.current().pid(),
                SEQUENCE.incrementAndGet()));
        reapStale(nft);
        EgressResolver resolver = null;
        EgressProxy proxy = null;
        try {
            CertificateAuthority ca = CertificateAuthority.open(host.stateDir().resolve("egress-ca"));
            resolver = EgressResolver.start(bind, source -> Optional.ofNullable(holder.gateway)
                            .flatMap(g -> Optional.ofNullable(g.tenants.get(source))), upstream,
                    (tenant, address, ttl) -> holder.gateway.pass(tenant, address, ttl), events);
            EgressResolver names = resolver;
            NameResolver guarded = (tenant, name) -> {
                List<Inet4Address> found = names.resolve(tenant, name).stream().filter(reachable).toList();
                if (found.isEmpty()) {
                    throw new UnknownHostException(name + " has no address that sandboxes may reach");
                }
                return found;
            };
            proxy = EgressProxy.start(bind, source -> Optional.ofNullable(holder.gateway)
                    .flatMap(g -> Optional.ofNullable(g.tenants.get(source))), guarded, ca, upstreamTls(host), events);
            table.create(BridgeNetwork.GATEWAY, resolver.port(), proxy.httpPort(), proxy.tlsPort());
            KernelLogRefusals kernelLog = KernelLogRefusals.start(table.name(), (source, refusal) -> {
                Tenant tenant = holder.gateway == null ? null : holder.gateway.tenants.get(source);
                if (tenant != null) {
                    events.refused(new Refusal(tenant.sandbox(), refusal.destination(), refusal.port(),
                            refusal.protocol(), refusal.rule()));
                }
            });
            holder.gateway = new EgressGateway(table, resolver, proxy, ca, kernelLog);
            return holder.gateway;
        } catch (RuntimeException | IOException e) {
            if (proxy != null) {
                proxy.close();
            }
            if (resolver != null) {
                resolver.close();
            }
            table.delete();
            throw e instanceof BackendUnavailableException b ? b
                    : new BackendUnavailableException("cannot start egress control: " + e.getMessage());
        }
    }

    /** Set once the gateway exists; the resolver and the proxy find tenants through it. */
    private static final class Holder {
        private volatile EgressGateway gateway;
    }

    /** The certificate (PEM) of the authority whose certificates the proxy shows to sandboxes. */
    Path caCertificate() {
        return ca.certificatePem();
    }

    /**
     * Puts the sandbox at {@code address} under {@code policy} (and grants it {@code secrets})
     * until the returned admission is closed.
     */
    AutoCloseable admit(Inet4Address address, String sandbox, NetworkPolicy policy, List<SecretGrant> secrets) {
        Tenant tenant = new Tenant(sandbox, address, new EgressRules(policy), secrets);
        boolean proxied = policy.allowListOnly() || !secrets.isEmpty();
        tenants.put(address, tenant);
        try {
            table.admit(address, policy, proxied);
        } catch (RuntimeException e) {
            tenants.remove(address, tenant);
            throw e;
        }
        return () -> {
            tenants.remove(address, tenant);
            table.release(address, policy, proxied);
            for (InetAddress destination : passes.release(address)) {
                table.unpass(address, (Inet4Address) destination);
            }
        };
    }

    private void pass(Tenant tenant, Inet4Address destination, Duration ttl) {
        if (tenants.get(tenant.address()) != tenant) {
            return; // the sandbox is gone
        }
        if (!passes.renew(tenant.address(), destination, ttl, System.nanoTime())) {
            return; // passed already, for long enough
        }
        try {
            table.pass(tenant.address(), destination, ttl);
        } catch (RuntimeException e) {
            passes.forget(tenant.address(), destination);
            throw e;
        }
    }

    private static List<InetSocketAddress> upstream(HostContext host) {
        String configured = host.env().getOrDefault(DNS_ENV, "").strip();
        try {
            if (!configured.isEmpty()) {
                return EgressResolver.parseUpstream(configured);
            }
            List<InetSocketAddress> found = EgressResolver.hostResolvers(Files.readString(Path.of("/etc/resolv.conf")));
            if (found.isEmpty()) {
                throw new BackendUnavailableException("no IPv4 nameserver in /etc/resolv.conf for the egress resolver "
                        + "to ask; set " + DNS_ENV + "=IP[:PORT]");
            }
            return found;
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException(DNS_ENV + ": " + e.getMessage());
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot read /etc/resolv.conf: " + e.getMessage() + "; set " + DNS_ENV);
        }
    }

    private static SSLContext upstreamTls(HostContext host) {
        String file = host.env().getOrDefault(CA_ENV, "").strip();
        try {
            return file.isEmpty() ? SSLContext.getDefault() : UpstreamTrust.withExtraAuthorities(Path.of(file));
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new BackendUnavailableException(CA_ENV + ": cannot use " + file + ": " + e.getMessage());
        }
    }

    /** Deletes the tables of gateways whose process is gone. */
    private static void reapStale(Path nft) {
        // best effort: the table of a process that was killed stays until this
        try {
            Process p = new ProcessBuilder(nft.toString(), "list", "tables").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.lines().toList()) {
                String[] words = line.strip().split("\\s+");
                if (words.length == 3 && words[0].equals("table") && words[1].equals("inet")) {
                    EgressTable.ownerOf(words[2]).filter(pid -> ProcessHandle.of(pid).isEmpty())
                            .ifPresent(pid -> new EgressTable(nft, words[2]).delete());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot list nftables tables: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kernelLog.close();
        proxy.close();
        resolver.close();
        table.delete();
    }
}
