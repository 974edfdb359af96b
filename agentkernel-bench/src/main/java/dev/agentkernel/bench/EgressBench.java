package dev.agentkernel.bench;

import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.NetworkPolicy;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.SecretGrant;
import dev.agentkernel.testing.PolicyHosts;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import dev.agentkernel.testing.TestDnsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark of egress control (issue 16) on the real bwrap backend over the host bridge, against
 * hosts of this machine in a network namespace ({@link PolicyHosts}: HTTPS with a test CA) and a
 * test upstream resolver on loopback ({@link TestDnsServer}). One sandbox per variant runs for the
 * whole benchmark ({@link EgressProbe}); the harness asks them in turn, round by round (the order
 * rotating), so every variant sees the same machine state:
 * <ul>
 *   <li>an HTTPS request to {@code api.allowed.test} on a fresh connection (TCP and TLS handshake
 *       included, as a command-line tool makes it) and on a kept connection, from a sandbox with
 *       unrestricted network (the baseline), from one under a policy allowing that name (relayed by
 *       the proxy's TLS port, not decrypted) and from one with a secret granted for that host (the
 *       proxy terminates TLS and opens its own to the host). All connect to the address directly
 *       with the server name set, so no DNS lookup is in these figures;</li>
 *   <li>DNS: {@code getaddrinfo} of the allowed name in the sandbox under the policy (answered by
 *       the egress resolver, which asks the test upstream afresh), one A query over UDP from it,
 *       and the same query sent by this process straight to the upstream (the baseline).</li>
 * </ul>
 * Before the rounds, {@code --proxy-warm-up} requests go through the proxy, so that the JIT has
 * compiled it as in a daemon that has served for a while (with 0, the figures are those of a cold
 * proxy, interpreted at first). Writes the section {@code egress} of BENCHMARKS.md. Run as root (the
 * bridge and nftables). Usage: {@code scripts/bench.sh --only egress [--rounds N] [--proxy-warm-up N]}.
 */
public final class EgressBench {

    private static final String SECTION = "egress";
    private static final String NAME = "api.allowed.test";
    private static final int WARM_UP = 20;
    private static final String USAGE = """
            usage: EgressBench [--rounds N] [--proxy-warm-up N] [--markdown FILE]
              --rounds N       measured rounds (default 200, after 20 warm-up); each round makes every
                               request and lookup once in every variant
              --proxy-warm-up N  requests on new connections through the proxy (policy and secret) before
                               the warm-up rounds, so that the JIT has compiled the proxy as in a daemon
                               that has served for a while (default 1000; 0 measures a cold proxy)
              --markdown FILE  rewrite the 'egress' section of this file (BENCHMARKS.md)""";

    private int rounds = 200;
    private int proxyWarmUp = 1000;
    private Path markdown;

    private EgressBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        EgressBench bench = new EgressBench();
        BenchArgs options = new BenchArgs(USAGE).number("--rounds", v -> bench.rounds = v)
                .number("--proxy-warm-up", v -> bench.proxyWarmUp = v);
        if (!options.parse(args)) {
            return;
        }
        bench.markdown = options.markdown().orElse(null);
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("ak-egressbench-");
        try (PolicyHosts hosts = PolicyHosts.start(dir.resolve("hosts"), List.of(NAME));
             TestDnsServer upstream = TestDnsServer.start(Map.of(NAME, PolicyHosts.WEB))) {
            Map<String, String> env = new LinkedHashMap<>(HostContext.current().env());
            env.put("AGENTKERNEL_NETWORK", "bridge");
            env.put("AGENTKERNEL_EGRESS_DNS", upstream.address());
            env.put("AGENTKERNEL_EGRESS_CA_FILE", hosts.caCertificate().toString());
            HostContext current = HostContext.current();
            HostContext host = new HostContext(Files.createDirectories(dir.resolve("state")),
                    Files.createDirectories(dir.resolve("runtime")), current.root(), current.cpus(), env);
            try (IsolationBackend backend = BackendSelector.discover().open(Optional.of("bwrap"), host)) {
                measure(backend, host, hosts, upstream);
            }
        } finally {
            TestDirectories.delete(dir);
        }
    }

    private void measure(IsolationBackend backend, HostContext host, PolicyHosts hosts, TestDnsServer upstream)
            throws Exception {
        PolicyResolver resolver = new PolicyResolver(host);
        SandboxRequest request = SandboxRequest.defaults().withProfile(Profile.MODERATE).withNetwork(true)
                .withImage(RootFs.HOST);
        NetworkPolicy policy = new NetworkPolicy(List.of(NAME), List.of(), List.of(), List.of(), List.of(443),
                Map.of());
        SandboxSpec open = resolver.resolve(request);
        SandboxSpec policed = resolver.resolve(request.withEgress(policy));
        String placeholder = "AKSECRET_BENCH_TOKEN_0123456789abcdef0123456789abcdef";
        String value = "bench-secret-value";
        SandboxSpec withSecret = policed.withSecrets(List.of(new SecretGrant("BENCH_TOKEN", placeholder, value,
                List.of(NAME), Optional.empty(), false)));
        // the first sandbox under a policy starts the gateway, which makes the daemon's certificate authority
        Map<String, String> probeEnv = new HashMap<>(Map.of("BENCH_HOST", NAME, "BENCH_ADDR", PolicyHosts.WEB,
                "BENCH_TOKEN", placeholder, "BENCH_CAS", Files.readString(hosts.caCertificate())));
        List<EgressProbe> probes = new ArrayList<>();
        try (DatagramSocket dnsClient = new DatagramSocket()) {
            EgressProbe b = start(probes, "policy", backend, policed, probeEnv);
            probeEnv.put("BENCH_CAS", Files.readString(hosts.caCertificate())
                    + Files.readString(host.stateDir().resolve("egress-ca/ca.crt")));
            EgressProbe a = start(probes, "open", backend, open, probeEnv);
            EgressProbe c = start(probes, "secret", backend, withSecret, probeEnv);
            String load = Machine.loadAverage();
            Variant freshA = variant("HTTPS, new connection each time: unrestricted network (baseline)", a, "fresh");
            Variant freshB = variant("HTTPS, new connection each time: policy allowing the name (relayed by the proxy)",
                    b, "fresh");
            Variant freshC = variant("HTTPS, new connection each time: secret granted for the host (TLS terminated "
                    + "and re-encrypted by the proxy)", c, "fresh");
            Variant keepA = variant("HTTPS, one kept connection: unrestricted network (baseline)", a, "keep");
            Variant keepB = variant("HTTPS, one kept connection: policy allowing the name", b, "keep");
            Variant keepC = variant("HTTPS, one kept connection: secret granted for the host", c, "keep");
            Variant dnsHost = new Variant("DNS A query over UDP from the host straight to the upstream (baseline)",
                    "host UDP", null, directQuery(dnsClient, upstream));
            Variant dnsUdp = variant("DNS A query over UDP in the sandbox under the policy (our resolver)", b, "udpdns");
            Variant dnsLib = variant("DNS getaddrinfo in the sandbox under the policy (our resolver)", b, "dns");
            List<List<Variant>> groups = List.of(List.of(freshA, freshB, freshC), List.of(keepA, keepB, keepC),
                    List.of(dnsHost, dnsUdp, dnsLib));
            for (int i = 0; i < proxyWarmUp; i++) {
                b.run("fresh");
                c.run("fresh");
            }
            for (int round = 0; round < WARM_UP + rounds; round++) {
                boolean measured = round >= WARM_UP;
                for (List<Variant> group : groups) {
                    for (int i = 0; i < group.size(); i++) {
                        group.get((i + round) % group.size()).runOnce(measured);
                    }
                }
                if ((round + 1) % 50 == 0) {
                    System.err.println("bench: round " + (round + 1) + " of " + (WARM_UP + rounds));
                }
            }
            String loadAfter = Machine.loadAverage();
            long replaced = hosts.log().stream().filter(l -> l.contains("auth=Bearer " + value)).count();
            long asIs = hosts.log().stream().filter(l -> l.contains("auth=Bearer " + placeholder)).count();
            if (replaced == 0) {
                throw new IllegalStateException("the test host never received the secret's value: the secret variant "
                        + "was not intercepted, its figures are not what they claim");
            }
            String md = markdown(load, loadAfter, List.of(freshA, freshB, freshC), List.of(keepA, keepB, keepC),
                    List.of(dnsHost, dnsUdp, dnsLib), replaced, asIs);
            System.out.println(md);
            if (markdown != null) {
                Report.updateSection(markdown, SECTION, md);
                System.err.println("bench: updated section '" + SECTION + "' of " + markdown);
            }
        } finally {
            probes.forEach(EgressProbe::close);
        }
    }

    private static EgressProbe start(List<EgressProbe> probes, String name, IsolationBackend backend, SandboxSpec spec,
                                     Map<String, String> env) throws IOException {
        EgressProbe probe = EgressProbe.start(name, backend, spec, env);
        probes.add(probe);
        return probe;
    }

    private static Variant variant(String name, EgressProbe probe, String command) {
        return new Variant(name, command, null, () -> probe.run(command));
    }

    /** One A query for the name, sent from this process to {@code upstream} over UDP; the time to its answer. */
    private static Variant.Round directQuery(DatagramSocket socket, TestDnsServer upstream) throws IOException {
        String[] address = upstream.address().split(":");
        InetSocketAddress to = new InetSocketAddress(address[0], Integer.parseInt(address[1]));
        socket.setSoTimeout(5_000);
        int[] serial = {0};
        return () -> {
            serial[0] = (serial[0] + 1) & 0xffff;
            byte[] query = query(serial[0]);
            byte[] buffer = new byte[4096];
            long t0 = System.nanoTime();
            socket.send(new DatagramPacket(query, query.length, to));
            DatagramPacket answer;
            do {
                answer = new DatagramPacket(buffer, buffer.length);
                socket.receive(answer);
            } while (buffer[0] != query[0] || buffer[1] != query[1]);
            long elapsed = System.nanoTime() - t0;
            if ((buffer[3] & 15) != 0 || (buffer[6] | buffer[7]) == 0) {
                throw new IOException("upstream answered rcode " + (buffer[3] & 15) + " with no address");
            }
            return elapsed;
        };
    }

    private static byte[] query(int serial) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(new byte[] {(byte) (serial >> 8), (byte) serial, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : NAME.split("\\.")) {
            q.write(label.length());
            q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return q.toByteArray();
    }

    private String markdown(String loadBefore, String loadAfter, List<Variant> fresh, List<Variant> kept,
                            List<Variant> dns, long replaced, long asIs) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Egress control: HTTPS through the policy, DNS through our resolver\n\n");
        sb.append(String.format(Locale.ROOT, "Measured %s UTC with `sudo scripts/bench.sh --only egress --rounds %d "
                        + "--proxy-warm-up %d` "
                        + "(harness `dev.agentkernel.bench.EgressBench`) on %s: the bwrap backend on the host bridge "
                        + "(`AGENTKERNEL_NETWORK=bridge`), moderate sandboxes on the host's /usr, HTTPS to `%s` at %s "
                        + "(a network namespace of this machine, Python's `http.server` with a certificate of a test CA, "
                        + "RSA 2048), an upstream resolver on loopback (`AGENTKERNEL_EGRESS_DNS`). One sandbox per "
                        + "variant runs a Python loop for the whole run and times each request inside the sandbox "
                        + "(`time.perf_counter_ns`); the harness asks them in turn, %d rounds after %d warm-up, the "
                        + "order rotating each round, %s The requests connect to the address with the server name "
                        + "set, so no DNS lookup is in them. Load average %s before, %s after.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).toLocalDateTime().withNano(0), rounds, proxyWarmUp,
                Machine.describe(Path.of(SandboxHost.onPath("bwrap").map(Path::toString).orElse("bwrap")),
                        Machine.cgroupMode()).summary(), NAME, PolicyHosts.WEB, rounds, WARM_UP, proxyWarmUp == 0
                        ? "and nothing before them: a cold proxy, interpreted at first by the JVM."
                        : "and before them " + proxyWarmUp + " requests on new connections through the proxy in each of "
                        + "the policy and secret sandboxes, so that the JIT has compiled the proxy as in a daemon that "
                        + "has served for a while.", loadBefore,
                loadAfter));
        sb.append("An HTTPS request (`GET`, a 34-byte answer) on a new connection each time, TCP and TLS handshake "
                + "included, as a command-line tool makes it:\n\n");
        sb.append(table(fresh, true));
        sb.append("\nThe same request on one connection kept open:\n\n");
        sb.append(table(kept, false));
        sb.append("\nDNS lookup of the allowed name (the egress resolver asks the upstream afresh for every query "
                + "of a sandbox):\n\n");
        sb.append(table(dns, false));
        sb.append(String.format(Locale.ROOT, "%nThe test host received the secret's value in %d requests (the sandbox "
                + "with the secret) and the placeholder as sent in %d (the others).%n", replaced, asIs));
        return sb.toString();
    }

    /** Rows compared with the first (the baseline); with {@code target}, the second row's p50 ≤ 1.2× the baseline's. */
    private static String table(List<Variant> rows, boolean target) {
        double base = rows.getFirst().stats().p50();
        List<Report.Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Variant v = rows.get(i);
            boolean first = i == 0;
            String goal = "";
            if (target && i == 1) {
                double ratio = v.stats().p50() / base;
                goal = "p50 ≤ 1.2× baseline " + (ratio <= 1.2 ? "✓" : "✗");
            }
            out.add(new Report.Row(v, s -> first ? "baseline" : Report.ratio(s.p50() / base) + " (p99 "
                    + Report.ratio(s.p99() / rows.getFirst().stats().p99()) + ")", goal));
        }
        return Report.table("Variant", "p50 vs baseline", target, out);
    }
}
