package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NetworkPolicy;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.testing.PolicyHosts;
import dev.agentkernel.testing.TestDnsServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Egress policies on real sandboxes (the host bridge), against hosts of this machine in a network
 * namespace of their own ({@link PolicyHosts}: HTTP, HTTPS with a test CA, raw TCP) and a test
 * upstream resolver on the host's loopback ({@link TestDnsServer}): an allowed name works over
 * HTTPS and HTTP; a refused name, the same address under a refused name (by TLS SNI and HTTP
 * {@code Host}), an IP literal, another port, IPv6, another resolver, DNS tunnelling and
 * {@code CONNECT} to a refused host all fail at once and are reported as refusals; extra hosts are
 * named and policed like any name.
 */
class EgressPolicyIT {

    /** Runs each step and prints one line per step: {@code STEP OK ...} or {@code STEP FAIL ...}. */
    private static final String PROBE = """
            import os, socket, ssl, struct, sys, time
            cafile = "/tmp/cas.pem"
            open(cafile, "w").write(os.environ.get("TEST_CAS", ""))
            def dns(name):
                addrs = sorted({a[4][0] for a in socket.getaddrinfo(name, 443, socket.AF_INET, socket.SOCK_STREAM)})
                return ",".join(addrs)
            def read_all(s):
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        return data.decode(errors="replace")
                    data += chunk
            def summary(text):
                head, _, body = text.partition("\\r\\n\\r\\n")
                return head.split("\\r\\n")[0] + " | " + body.strip().replace("\\n", " ")
            def https(host, connect_to=None):
                ctx = ssl.create_default_context(cafile=cafile)
                s = socket.create_connection((connect_to or host, 443), timeout=5)
                with ctx.wrap_socket(s, server_hostname=host) as tls:
                    tls.sendall(("GET /x HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" % host).encode())
                    return summary(read_all(tls))
            def http(host, connect_to):
                s = socket.create_connection((connect_to, 80), timeout=5)
                s.sendall(("GET /y HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" % host).encode())
                return summary(read_all(s))
            def connect(proxy, target):
                s = socket.create_connection((proxy, 80), timeout=5)
                s.sendall(("CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % (target, target)).encode())
                return s.recv(4096).decode(errors="replace").split("\\r\\n")[0]
            def tcp(host, port):
                s = socket.create_connection((host, int(port)), timeout=5)
                return s.recv(100).decode().strip()
            def tcp6(host, port):
                s = socket.socket(socket.AF_INET6)
                s.settimeout(5)
                s.connect((host, int(port)))
                return "connected"
            def issuer(host):
                import subprocess
                out = subprocess.run(["openssl", "s_client", "-connect", host + ":443", "-servername", host],
                                     input=b"", capture_output=True, timeout=10).stdout.decode()
                return " ".join(l for l in out.splitlines() if l.startswith(("issuer", "subject"))) + " cafile=" + str(open(cafile).read().count("BEGIN CERTIFICATE"))
            def udpdns(server, name):
                q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
                for label in name.split("."):
                    q += bytes([len(label)]) + label.encode()
                q += b"\\0" + struct.pack(">HH", 1, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(q, (server, 53))
                r = s.recv(4096)
                rcode = r[3] & 15
                answers = struct.unpack(">H", r[6:8])[0]
                ips = []
                if answers:
                    tail = r[-4:]
                    ips.append(".".join(str(b) for b in tail))
                return "rcode=%d answers=%s" % (rcode, ",".join(ips))
            for step in sys.argv[1:]:
                kind, _, rest = step.partition("=")
                args = rest.split("@")
                started = time.time()
                try:
                    out = globals()[kind](*args)
                    print(step, "OK", out, flush=True)
                except Exception as e:
                    print(step, "FAIL %s %s (%.2f s)" % (type(e).__name__, e, time.time() - started), flush=True)
            """;

    private static final NetworkPolicy POLICY = new NetworkPolicy(
            List.of("api.allowed.test", "*.wild.test", "db.internal"), List.of("bad.wild.test"), List.of(), List.of(),
            List.of(80, 443, PolicyHosts.TCP_PORT),
            Map.of("db.internal", PolicyHosts.OTHER, "hidden.internal", PolicyHosts.OTHER));

    private static Path dir;
    private static PolicyHosts hosts;
    private static TestDnsServer upstream;
    private static Sandboxes sandboxes;
    private static final Map<String, Sandboxes> oci = new LinkedHashMap<>();
    private static final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    /** Every backend's refusals, into {@link #refusals}. */
    private static final EgressEvents RECORDER = new EgressEvents() {
        @Override
        public void refused(Refusal refusal) {
            refusals.add(refusal);
        }

        @Override
        public void placeholderWithheld(String sandbox, String secret, String host) {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        Sandboxes.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-egress-it-");
        hosts = PolicyHosts.start(dir.resolve("hosts"), List.of("api.allowed.test", "other.test", "x.wild.test",
                "bad.wild.test"));
        Map<String, String> table = new LinkedHashMap<>();
        for (String name : List.of("api.allowed.test", "other.test", "x.wild.test", "bad.wild.test")) {
            table.put(name, PolicyHosts.WEB);
        }
        table.put("evil.test", PolicyHosts.OTHER);
        upstream = TestDnsServer.start(table);
        sandboxes = Sandboxes.open(dir.resolve("backend"), Map.of(NetworkChoice.ENV, "bridge",
                EgressGateway.DNS_ENV, upstream.address(), EgressGateway.CA_ENV, hosts.caCertificate().toString()));
        sandboxes.backend.egressEvents(RECORDER);
        for (String runtime : List.of("runc", "crun")) {
            Sandboxes other = Sandboxes.open(dir.resolve(runtime), Map.of(NetworkChoice.ENV, "bridge",
                    EgressGateway.DNS_ENV, upstream.address(), EgressGateway.CA_ENV, hosts.caCertificate().toString()),
                    runtime);
            other.backend.egressEvents(RECORDER);
            oci.put(runtime, other);
        }
        // the first sandbox under a policy starts the gateway (and makes its certificate authority)
        Result warm = sandboxes.run(sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE)
                .withEgress(POLICY)), "true");
        assertThat(warm.exitCode()).as(warm.describe()).isZero();
    }

    @BeforeEach
    void clearRefusals() {
        refusals.clear();
    }

    @AfterEach
    void nothingLeftBehind() {
        sandboxes.assertNothingLeftBehind();
        oci.values().forEach(Sandboxes::assertNothingLeftBehind);
    }

    @AfterAll
    static void stop() throws Exception {
        oci.values().forEach(Sandboxes::close);
        if (sandboxes != null) {
            sandboxes.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (hosts != null) {
            hosts.close();
        }
        if (dir != null) {
            dev.agentkernel.testing.TestDirectories.delete(dir);
        }
    }

    private static Result probe(NetworkPolicy policy, String... steps) throws Exception {
        return probe(sandboxes, policy, steps);
    }

    private static Result probe(Sandboxes sandboxes, NetworkPolicy policy, String... steps) throws Exception {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE).withEgress(policy));
        List<String> argv = new ArrayList<>(List.of("python3", "-c", PROBE));
        argv.addAll(List.of(steps));
        String cas = Files.readString(hosts.caCertificate()) + Files.readString(
                sandboxes.host.stateDir().resolve("egress-ca/ca.crt"));
        Result r = sandboxes.run(spec, new CommandSpec(argv, Map.of("TEST_CAS", cas), Optional.empty(),
                Optional.of(Duration.ofSeconds(60))));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    private static String line(Result r, String step) {
        return r.out().lines().filter(l -> l.startsWith(step + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + step + " in " + r.describe()))
                .substring(step.length() + 1);
    }

    /** A failure within a second: an explicit refusal, not a timeout. */
    private static void assertFastFailure(Result r, String step) {
        String line = line(r, step);
        assertThat(line).as(step + " in " + r.describe()).startsWith("FAIL");
        double seconds = Double.parseDouble(line.replaceAll(".*\\(([0-9.]+) s\\)$", "$1"));
        assertThat(seconds).as(step + " took " + seconds + " s: " + line).isLessThan(1.0);
    }

    private static List<Refusal> awaitRefusal(String destination) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (refusals.stream().noneMatch(r -> r.destination().equals(destination)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return List.copyOf(refusals);
    }

    @Test
    void anAllowedNameWorksOverHttpsAndHttp() throws Exception {
        Result r = probe(POLICY, "dns=api.allowed.test", "https=api.allowed.test", "http=api.allowed.test@api.allowed.test",
                "https=x.wild.test", "issuer=api.allowed.test");
        assertThat(line(r, "dns=api.allowed.test")).isEqualTo("OK " + PolicyHosts.WEB);
        assertThat(line(r, "https=api.allowed.test")).isEqualTo("OK HTTP/1.1 200 OK | hello from https api.allowed.test");
        assertThat(line(r, "http=api.allowed.test@api.allowed.test"))
                .isEqualTo("OK HTTP/1.1 200 OK | hello from http api.allowed.test");
        assertThat(line(r, "https=x.wild.test")).isEqualTo("OK HTTP/1.1 200 OK | hello from https x.wild.test");
        assertThat(line(r, "issuer=api.allowed.test")).as("no interception without secrets: the server's own certificate")
                .contains("issuer=CN = AgentKernel test CA");
        assertThat(refusals).isEmpty();
    }

    @Test
    void aRefusedNameFailsAtOnceNeverLeavesTheHostAndIsReported() throws Exception {
        Result r = probe(POLICY, "dns=evil.test", "dns=bad.wild.test", "https=evil.test");
        assertFastFailure(r, "dns=evil.test");
        assertFastFailure(r, "dns=bad.wild.test");
        assertFastFailure(r, "https=evil.test");
        assertThat(upstream.asked()).doesNotContain("evil.test", "bad.wild.test");
        assertThat(awaitRefusal("bad.wild.test")).extracting(Refusal::destination, Refusal::protocol, Refusal::rule)
                .contains(org.assertj.core.groups.Tuple.tuple("evil.test", "dns", "not in allow_domains"),
                        org.assertj.core.groups.Tuple.tuple("bad.wild.test", "dns", "deny_domains: bad.wild.test"));
        assertThat(refusals).allMatch(x -> x.sandbox().startsWith("sandbox-"));
    }

    @Test
    void theSameAddressUnderARefusedNameIsRefusedBySniAndHost() throws Exception {
        int logged = hosts.log().size();
        Result r = probe(POLICY, "dns=api.allowed.test", "https=other.test@" + PolicyHosts.WEB,
                "http=other.test@" + PolicyHosts.WEB, "https=api.allowed.test@" + PolicyHosts.WEB);
        assertThat(line(r, "https=other.test@" + PolicyHosts.WEB)).startsWith("OK HTTP/1.1 403")
                .contains("other.test").contains("not in allow_domains");
        assertThat(line(r, "http=other.test@" + PolicyHosts.WEB)).startsWith("OK HTTP/1.1 403").contains("other.test");
        assertThat(line(r, "https=api.allowed.test@" + PolicyHosts.WEB)).startsWith("OK HTTP/1.1 200");
        assertThat(hosts.log().subList(logged, hosts.log().size())).noneMatch(l -> l.contains(" other.test "));
        assertThat(awaitRefusal("other.test")).extracting(Refusal::destination, Refusal::protocol)
                .contains(org.assertj.core.groups.Tuple.tuple("other.test", "tls"),
                        org.assertj.core.groups.Tuple.tuple("other.test", "http"));
    }

    @Test
    void ipLiteralsOtherPortsAndIpv6DoNotGetThrough() throws Exception {
        int logged = hosts.log().size();
        Result r = probe(POLICY, "dns=api.allowed.test", "tcp=" + PolicyHosts.WEB + "@" + PolicyHosts.TCP_PORT,
                "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT, "tcp=" + PolicyHosts.WEB + "@22",
                "tcp6=2001:db8::1@443", "https=" + PolicyHosts.WEB);
        assertThat(line(r, "tcp=" + PolicyHosts.WEB + "@" + PolicyHosts.TCP_PORT)).isEqualTo("OK greetings");
        assertFastFailure(r, "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT);
        assertFastFailure(r, "tcp=" + PolicyHosts.WEB + "@22");
        assertFastFailure(r, "tcp6=2001:db8::1@443");
        assertFastFailure(r, "https=" + PolicyHosts.WEB);
        assertThat(hosts.log().subList(logged, hosts.log().size())).noneMatch(l -> l.equals("TCP " + PolicyHosts.OTHER));
        assertThat(awaitRefusal(PolicyHosts.OTHER)).extracting(Refusal::destination, Refusal::port)
                .contains(org.assertj.core.groups.Tuple.tuple(PolicyHosts.OTHER, PolicyHosts.TCP_PORT));
        assertThat(awaitRefusal(PolicyHosts.WEB)).anyMatch(x -> x.destination().equals(PolicyHosts.WEB) && x.port() == 22
                && x.rule().startsWith("port"));
    }

    @Test
    void otherResolversAndTunnellingGetOnlyOurAnswers() throws Exception {
        String tunnel = "a".repeat(60) + "." + "b".repeat(60) + ".t.evil.test";
        Result r = probe(POLICY, "udpdns=" + PolicyHosts.OTHER + "@evil.test", "udpdns=8.8.8.8@api.allowed.test",
                "udpdns=" + PolicyHosts.WEB + "@" + tunnel);
        assertThat(line(r, "udpdns=" + PolicyHosts.OTHER + "@evil.test")).isEqualTo("OK rcode=5 answers=");
        assertThat(line(r, "udpdns=8.8.8.8@api.allowed.test")).isEqualTo("OK rcode=0 answers=" + PolicyHosts.WEB);
        assertThat(line(r, "udpdns=" + PolicyHosts.WEB + "@" + tunnel)).isEqualTo("OK rcode=5 answers=");
        assertThat(upstream.asked()).noneMatch(n -> n.endsWith("evil.test"));
        assertThat(awaitRefusal(tunnel)).anyMatch(x -> x.destination().equals(tunnel) && x.protocol().equals("dns"));
    }

    @Test
    void connectToARefusedHostIsRefusedAndToAnAllowedOneWorks() throws Exception {
        Result r = probe(POLICY, "dns=api.allowed.test", "connect=" + PolicyHosts.WEB + "@evil.test:443",
                "connect=" + PolicyHosts.WEB + "@api.allowed.test:443");
        assertThat(line(r, "connect=" + PolicyHosts.WEB + "@evil.test:443")).startsWith("OK HTTP/1.1 403");
        assertThat(line(r, "connect=" + PolicyHosts.WEB + "@api.allowed.test:443")).startsWith("OK HTTP/1.1 200");
        assertThat(awaitRefusal("evil.test")).anyMatch(x -> x.destination().equals("evil.test")
                && x.protocol().equals("connect"));
    }

    @Test
    void extraHostsAreNamedAndPolicedLikeAnyName() throws Exception {
        Result r = probe(POLICY, "dns=db.internal", "tcp=db.internal@" + PolicyHosts.TCP_PORT, "dns=hidden.internal");
        assertThat(line(r, "dns=db.internal")).isEqualTo("OK " + PolicyHosts.OTHER);
        assertThat(line(r, "tcp=db.internal@" + PolicyHosts.TCP_PORT)).isEqualTo("OK greetings");
        assertFastFailure(r, "dns=hidden.internal");
        assertThat(upstream.asked()).doesNotContain("db.internal", "hidden.internal");
    }

    @Test
    void aDenyListAloneLeavesEverythingElseOpen() throws Exception {
        NetworkPolicy denyOnly = new NetworkPolicy(List.of(), List.of("evil.test"), List.of(), List.of(), List.of(),
                Map.of());
        Result r = probe(denyOnly, "dns=evil.test", "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT,
                "https=other.test");
        assertFastFailure(r, "dns=evil.test");
        assertThat(line(r, "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT)).isEqualTo("OK greetings");
        assertThat(line(r, "https=other.test")).isEqualTo("OK HTTP/1.1 200 OK | hello from https other.test");
    }

    /** The OCI runtimes' sandboxes are under the same control (their own gateway, the same rules). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"runc", "crun"})
    void theOciRuntimesHoldThePolicyToo(String runtime) throws Exception {
        Result r = probe(oci.get(runtime), POLICY, "dns=api.allowed.test", "https=api.allowed.test", "dns=evil.test",
                "https=other.test@" + PolicyHosts.WEB, "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT);
        assertThat(line(r, "dns=api.allowed.test")).isEqualTo("OK " + PolicyHosts.WEB);
        assertThat(line(r, "https=api.allowed.test")).isEqualTo("OK HTTP/1.1 200 OK | hello from https api.allowed.test");
        assertFastFailure(r, "dns=evil.test");
        assertThat(line(r, "https=other.test@" + PolicyHosts.WEB)).startsWith("OK HTTP/1.1 403");
        assertFastFailure(r, "tcp=" + PolicyHosts.OTHER + "@" + PolicyHosts.TCP_PORT);
        assertThat(awaitRefusal(PolicyHosts.OTHER)).anyMatch(x -> x.destination().equals("evil.test"))
                .anyMatch(x -> x.destination().equals(PolicyHosts.OTHER));
    }

    @Test
    void aSandboxWithoutAPolicyIsNotFiltered() throws Exception {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.MODERATE));
        Result r = sandboxes.run(spec, "python3", "-c", "import socket; s = socket.create_connection(('"
                + PolicyHosts.OTHER + "', " + PolicyHosts.TCP_PORT + "), timeout=5); print(s.recv(100).decode().strip())");
        assertThat(r.out()).as(r.describe()).contains("greetings");
    }

    @Test
    void theRulesOfAnEndedSandboxAreGone() throws Exception {
        probe(POLICY, "dns=api.allowed.test");
        String table = "akeg_" + ProcessHandle.current().pid() + "_";
        String ours = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            Process list = new ProcessBuilder("nft", "list", "ruleset").redirectErrorStream(true).start();
            String ruleset = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor();
            assertThat(ruleset).contains("table inet " + table);
            ours = ruleset.substring(ruleset.indexOf("table inet " + table));
            ours = ours.substring(0, ours.indexOf("\n}") + 2);
            if (!ours.contains("elements")) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertThat(ours).as("the egress table once the sandbox ended:\n" + ours).doesNotContain("elements");
    }
}
