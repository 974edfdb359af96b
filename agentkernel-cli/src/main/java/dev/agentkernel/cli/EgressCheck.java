package dev.agentkernel.cli;

import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NetworkPolicy;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code egress control} check of {@code agentkernel doctor}: a sandbox on the host's
 * {@code /usr} under a small network policy (one allowed name, mapped by an extra host entry to a
 * documentation address, so nothing leaves the machine) asks, with Python:
 * <ul>
 *   <li>the allowed name, which AgentKernel's resolver must answer with the mapped address;</li>
 *   <li>a name outside the policy, which must fail at once ({@code REFUSED});</li>
 *   <li>port 80 and 443 of the mapped address with that other name as {@code Host} and TLS server
 *       name, which the egress proxy must answer {@code 403} (it refuses before connecting
 *       anywhere).</li>
 * </ul>
 * It also needs {@code /dev/kmsg} readable: that is where the packet filter's refusals are read
 * for the audit log.
 */
final class EgressCheck {

    static final String NAME = "egress control";
    static final String ALLOWED = "doctor.agentkernel.test";
    static final String REFUSED = "refused.agentkernel.test";
    /** TEST-NET-1 (RFC 5737): never routed; the proxy answers for it. */
    static final String ADDRESS = "192.0.2.10";
    static final NetworkPolicy POLICY = new NetworkPolicy(List.of(ALLOWED), List.of(), List.of(), List.of(),
            List.of(80, 443), Map.of(ALLOWED, ADDRESS));
    /** A refused name must fail faster than this: an explicit refusal, not a timeout. */
    static final double FAST_SECONDS = 1.0;
    private static final Path KMSG = Path.of("/dev/kmsg");
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final List<String> STEPS = List.of("dns_allowed", "dns_refused", "http_proxy", "tls_proxy");
    private static final Pattern LINE = Pattern.compile("(\\w+) (OK|FAIL) (.*) \\(([0-9.]+) s\\)");
    private static final String FIX_BRIDGE = "run AgentKernel as root with ip and nft installed "
            + "(apt-get install -y iproute2 nftables), so sandboxes use the host bridge (AGENTKERNEL_NETWORK unset or bridge)";
    private static final String FIX_NAT = "check that nftables' NAT works here: while a sandbox under a policy runs, "
            + "'nft list ruleset' shows a table 'akeg_PID_N' whose prerouting chain sends ports 53, 80 and 443 to "
            + "the gateway; another firewall must not drop or rewrite that traffic";

    private static final String PROBE = """
            import socket, ssl, sys, time
            ALLOWED, REFUSED, ADDR = sys.argv[1:4]
            def dns_allowed():
                return ",".join(sorted({a[4][0] for a in socket.getaddrinfo(ALLOWED, 80, socket.AF_INET, socket.SOCK_STREAM)}))
            def dns_refused():
                return "resolved to " + ",".join(a[4][0] for a in socket.getaddrinfo(REFUSED, 80, socket.AF_INET, socket.SOCK_STREAM))
            def answer(s):
                s.sendall(("GET / HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" % REFUSED).encode())
                data = b""
                while len(data) < 65536:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.decode(errors="replace").partition("\\r\\n\\r\\n")
                return head.split("\\r\\n")[0] + " | " + " ".join(body.split())[:300]
            def http_proxy():
                with socket.create_connection((ADDR, 80), timeout=5) as s:
                    return answer(s)
            def tls_proxy():
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                with socket.create_connection((ADDR, 443), timeout=5) as s:
                    with ctx.wrap_socket(s, server_hostname=REFUSED) as t:
                        return answer(t)
            for step in ("dns_allowed", "dns_refused", "http_proxy", "tls_proxy"):
                started = time.time()
                try:
                    out = globals()[step]()
                    print(step, "OK", out.replace("\\n", " "), "(%.3f s)" % (time.time() - started), flush=True)
                except Exception as e:
                    print(step, "FAIL", (type(e).__name__ + " " + str(e)).replace("\\n", " "), "(%.3f s)" % (time.time() - started), flush=True)
            """;

    private EgressCheck() {
    }

    /** What one step of the probe reported. */
    record Step(boolean ok, String detail, double seconds) {
    }

    /** Runs the probe in a sandbox of {@code backend}; never throws. */
    static SetupCheck run(IsolationBackend backend, PolicyResolver resolver) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            var spec = resolver.resolve(SandboxRequest.defaults().withProfile(Profile.MODERATE).withNetwork(true)
                    .withImage(RootFs.HOST).withEgress(POLICY));
            CommandSpec command = new CommandSpec(List.of("python3", "-c", PROBE, ALLOWED, REFUSED, ADDRESS), Map.of(),
                    Optional.empty(), Optional.of(LIMIT));
            try (Execution execution = backend.start(spec, command, Stdio.capture((kind, b, off, len) -> {
                ByteArrayOutputStream to = kind == OutputStreamKind.STDOUT ? out : err;
                synchronized (to) {
                    if (to.size() < 64 * 1024) {
                        to.write(b, off, len);
                    }
                }
            }))) {
                Termination end = execution.await();
                synchronized (out) {
                    synchronized (err) {
                        return verdict(end, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                                Files.isReadable(KMSG));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SetupCheck.fail(NAME, "interrupted", "run the check again");
        } catch (AgentKernelException e) {
            return SetupCheck.fail(NAME, "a sandbox under a network policy cannot start: " + e.getMessage(), FIX_BRIDGE);
        }
    }

    /**
     * The check's result from the probe's end, its output and whether {@code /dev/kmsg} is
     * readable. Package-private for tests.
     */
    static SetupCheck verdict(Termination end, String stdout, String stderr, boolean kmsgReadable) {
        Map<String, Step> steps = parse(stdout);
        if (!steps.keySet().containsAll(STEPS)) {
            String why = stderr.strip().lines().reduce((a, b) -> b).orElse("");
            if (end instanceof Termination.Exited(int code) && code == 127 || why.contains("python3")) {
                return SetupCheck.fail(NAME, "not checked: python3 is not installed on this host (the check runs it in "
                        + "a sandbox on the host's /usr)", "install python3 (apt-get install -y python3-minimal)");
            }
            return SetupCheck.fail(NAME, "the probe in a sandbox under a policy ended " + end
                    + (why.isEmpty() ? "" : ": " + why), "see 'agentkernel run --allow-domain example.com -- true' for "
                    + "the error");
        }
        Step allowed = steps.get("dns_allowed");
        if (!allowed.ok() || !allowed.detail().equals(ADDRESS)) {
            return SetupCheck.fail(NAME, "the sandbox's DNS did not come from AgentKernel's resolver: " + ALLOWED
                    + " (an extra host entry of its policy) gave " + describe(allowed) + ", expected " + ADDRESS, FIX_NAT);
        }
        Step refused = steps.get("dns_refused");
        if (refused.ok()) {
            return SetupCheck.fail(NAME, "a name outside the sandbox's policy resolved (" + REFUSED + ": "
                    + refused.detail() + ")", FIX_NAT);
        }
        if (refused.seconds() >= FAST_SECONDS) {
            return SetupCheck.fail(NAME, String.format(java.util.Locale.ROOT, "a name outside the policy took %.1f s to "
                    + "fail (expected a refusal at once): %s", refused.seconds(), refused.detail()), FIX_NAT);
        }
        for (String port : List.of("http_proxy", "tls_proxy")) {
            Step step = steps.get(port);
            String which = port.equals("http_proxy") ? "HTTP (port 80)" : "TLS (port 443)";
            if (!step.ok() || !step.detail().startsWith("HTTP/1.1 403") || !step.detail().contains(REFUSED)) {
                return SetupCheck.fail(NAME, "the egress proxy's " + which + " did not refuse a Host outside the policy "
                        + "with a 403 naming it: " + describe(step), FIX_NAT);
            }
        }
        if (!kmsgReadable) {
            return SetupCheck.fail(NAME, "the resolver and the proxy work, but " + KMSG + " is not readable, so "
                    + "connections the packet filter refuses are not audited", "run AgentKernel as root where "
                    + KMSG + " is readable (in a container: do not mask it, and grant CAP_SYSLOG)");
        }
        return SetupCheck.pass(NAME, String.format(java.util.Locale.ROOT, "ok: in a sandbox under a policy, AgentKernel's "
                + "resolver answered an allowed name and refused another in %.0f ms; its proxy refused that name "
                + "over HTTP and TLS with a 403", refused.seconds() * 1000));
    }

    private static String describe(Step step) {
        return (step.ok() ? "" : "failure: ") + step.detail();
    }

    private static Map<String, Step> parse(String stdout) {
        Map<String, Step> steps = new LinkedHashMap<>();
        for (String line : stdout.lines().toList()) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches() && STEPS.contains(m.group(1))) {
                steps.put(m.group(1), new Step(m.group(2).equals("OK"), m.group(3), Double.parseDouble(m.group(4))));
            }
        }
        return steps;
    }
}
