package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.PolicyHosts;
import dev.agentkernel.testing.TestDnsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secrets and network policies through the daemon, against hosts of this machine in a network
 * namespace ({@link PolicyHosts}: HTTPS of a test CA the daemon's proxy trusts) and a test upstream
 * resolver: a stored secret and a create request's own value reach only the hosts they are granted
 * for; inside the sandbox the environment, {@code /proc/*}{@code /environ}, its files and a dump of
 * every process's memory hold only placeholders; a placeholder sent elsewhere arrives as the
 * placeholder and is audited; refusals are audited {@code policy_violation}; all of it survives a
 * daemon restart; the values are in no answer and not in clear in the state database.
 */
class EgressSecretsIT {

    private static final String VALUE = "s3cr3t-value-123";
    private static final String INLINE = "inline-value-77";
    /** Requests {@code https://HOST/x} with {@code HEADER: VALUE} pairs (variables expanded); prints the status and body. */
    private static final String REQUEST = """
            import os, sys, urllib.request
            host, pairs = sys.argv[1], sys.argv[2:]
            headers = {pairs[i]: os.path.expandvars(pairs[i + 1]) for i in range(0, len(pairs), 2)}
            body = headers.pop("--data", None)
            req = urllib.request.Request("https://%s/x" % host, headers=headers,
                                         data=body.encode() if body is not None else None)
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    print(r.status, r.read().decode().strip())
            except Exception as e:
                body = e.read().decode(errors="replace").strip() if hasattr(e, "read") else ""
                print("FAIL", type(e).__name__, e, body)
            """;
    /**
     * As the sandbox's root: counts occurrences of each argument (hex-encoded, so that no process
     * but this one, which is skipped, holds them in clear) in every other process's environment
     * and memory and in files.
     */
    private static final String SCAN = """
            import os, re, sys
            needles = [bytes.fromhex(a) for a in sys.argv[1:]]
            found = {n: 0 for n in needles}
            for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
                try:
                    env = open("/proc/%s/environ" % pid, "rb").read()
                    for n in needles:
                        found[n] += env.count(n)
                    maps = open("/proc/%s/maps" % pid).read().splitlines()
                    mem = open("/proc/%s/mem" % pid, "rb", 0)
                    for line in maps:
                        start, end = (int(x, 16) for x in line.split()[0].split("-"))
                        if "r" not in line.split()[1] or end - start > 512 * 1024 * 1024:
                            continue
                        try:
                            mem.seek(start)
                            chunk = mem.read(end - start)
                        except OSError:
                            continue
                        for n in needles:
                            found[n] += chunk.count(n)
                except (OSError, PermissionError):
                    continue
            for top in ["/workspace", "/tmp", "/var/tmp", "/run", "/etc", "/root", "/home"]:
                for dirpath, _, files in os.walk(top):
                    for f in files:
                        try:
                            data = open(os.path.join(dirpath, f), "rb").read()
                        except OSError:
                            continue
                        for n in needles:
                            found[n] += data.count(n)
            print(" ".join("%s=%d" % (n.decode(), c) for n, c in found.items()))
            """;

    /** A JVM's HTTPS request (its default trust store), with the secret's placeholder as a bearer token. */
    private static final String FETCH = """
            public class Fetch {
                public static void main(String[] args) throws Exception {
                    var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
                    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(args[0]))
                            .header("Authorization", "Bearer " + System.getenv("API_TOKEN")).build();
                    var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                    System.out.println(response.statusCode() + " " + response.body().strip());
                }
            }
            """;

    private static Path dir;
    private static PolicyHosts hosts;
    private static TestDnsServer upstream;
    private static ServerFixture fx;
    private static SandboxApi api;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-egress-secrets-it-");
        hosts = PolicyHosts.start(dir.resolve("hosts"), List.of("api.allowed.test", "other.test"));
        upstream = TestDnsServer.start(Map.of("api.allowed.test", PolicyHosts.WEB, "other.test", PolicyHosts.WEB,
                "evil.test", PolicyHosts.OTHER));
        dev.agentkernel.testing.SandboxHost.require(dev.agentkernel.testing.DockerEngine.missing().isEmpty(),
                "the docker backend's tests need " + dev.agentkernel.testing.DockerEngine.missing().orElse(""));
        env = Map.of("AGENTKERNEL_NETWORK", "bridge", "AGENTKERNEL_EGRESS_DNS", upstream.address(),
                "AGENTKERNEL_EGRESS_CA_FILE", hosts.caCertificate().toString(),
                "DOCKER_HOST", dev.agentkernel.testing.DockerEngine.shared().host());
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0, c -> c, env);
        api = new SandboxApi(fx);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.removeAll();
        }
        if (fx != null) {
            fx.close();
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

    private static String request(String sandbox, String host, String... headers) {
        List<String> argv = new ArrayList<>(List.of("python3", "-c", REQUEST, host));
        argv.addAll(List.of(headers));
        JsonNode data = api.execOk(sandbox, argv);
        return data.path("stdout").asText().strip();
    }

    @Test
    void secretsReachOnlyTheirHostsAndTheSandboxHoldsOnlyPlaceholders() throws Exception {
        ServerFixture.Response set = fx.send(fx.request("/secrets/API_TOKEN")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"value\": \"" + VALUE + "\"}")).build());
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("profile", "moderate");
        create.put("network_policy", Map.of("allow_domains", List.of("api.allowed.test", "other.test")));
        create.put("secrets", List.of("API_TOKEN:api.allowed.test", "INLINE=" + INLINE + ":other.test"));
        create.put("secret_files", List.of("API_TOKEN"));
        create.put("secrets_in_body", List.of("API_TOKEN"));
        JsonNode created = api.createOk("sec", create);
        assertThat(created.toString()).doesNotContain(VALUE).doesNotContain(INLINE);

        String placeholder = api.sh("sec", "printf %s \"$API_TOKEN\"");
        assertThat(placeholder).startsWith("AKSECRET_API_TOKEN_").doesNotContain(VALUE);
        assertThat(api.sh("sec", "cat /run/agentkernel/secrets/API_TOKEN")).isEqualTo(placeholder);

        // granted host: the value arrives in place of the placeholder
        assertThat(request("sec", "api.allowed.test", "Authorization", "Bearer $API_TOKEN")).startsWith("200 hello from https");
        assertThat(hosts.awaitLog("auth=Bearer " + VALUE, Duration.ofSeconds(5)))
                .anyMatch(l -> l.startsWith("REQUEST https api.allowed.test /x auth=Bearer " + VALUE + " "));
        // a program that reads no trust variable: the host's bundle in the sandbox has the daemon's authority too
        JsonNode bare = api.execOk("sec", List.of("env", "-u", "SSL_CERT_FILE", "-u", "REQUESTS_CA_BUNDLE", "-u",
                "CURL_CA_BUNDLE", "python3", "-c", REQUEST, "api.allowed.test", "Authorization", "Bearer $API_TOKEN"));
        assertThat(bare.path("stdout").asText()).as(bare.toString()).startsWith("200 hello from https");
        // a JVM (the host's java, its cacerts linked to the shared Java store): the store has the authority too
        assertThat(api.writeText("sec", "/workspace/Fetch.java", FETCH).status()).isIn(200, 201);
        JsonNode jvm = api.execOk("sec", List.of("java", "-Xshare:off", "/workspace/Fetch.java", "https://api.allowed.test/x"),
                Map.of("timeout", 120));
        assertThat(jvm.path("stdout").asText()).as(jvm.toString()).startsWith("200 hello from https");
        assertThat(hosts.awaitLog("auth=Bearer " + VALUE, Duration.ofSeconds(5))).isNotEmpty();
        // in the body too, for this secret
        assertThat(request("sec", "api.allowed.test", "--data", "token=$API_TOKEN&x=1")).startsWith("200");
        assertThat(hosts.awaitLog("body=token=" + VALUE, Duration.ofSeconds(5)))
                .anyMatch(l -> l.contains("api.allowed.test") && l.endsWith("body=token=" + VALUE + "&x=1"));
        // another host: the placeholder arrives as it is (and is audited); the request's own secret, granted there, arrives
        assertThat(request("sec", "other.test", "X-Token", "$API_TOKEN", "Authorization", "$INLINE"))
                .startsWith("200 hello from https");
        assertThat(hosts.awaitLog("token=" + placeholder, Duration.ofSeconds(5)))
                .anyMatch(l -> l.contains("other.test") && l.contains("auth=" + INLINE) && l.contains("token=" + placeholder));
        assertThat(hosts.log()).noneMatch(l -> l.contains(" token=" + VALUE + " "));
        JsonNode audit = awaitAudit("sec", "API_TOKEN");
        assertThat(audit.toString()).doesNotContain(VALUE).doesNotContain(INLINE);

        // nothing in the sandbox holds a value: environments, memory of every process, files
        JsonNode scan = api.execOk("sec", List.of("python3", "-c", SCAN, hex(VALUE), hex(INLINE), hex(placeholder)),
                Map.of("sudo", true));
        assertThat(scan.path("stdout").asText().strip())
                .as(scan.toString()).startsWith(VALUE + "=0 " + INLINE + "=0 " + placeholder + "=");
        assertThat(Integer.parseInt(scan.path("stdout").asText().strip().replaceAll(".*=", "")))
                .as("the scan sees the placeholder, so it would see a value").isPositive();

        // a refused name is audited as a policy violation
        assertThat(request("sec", "evil.test", "X-Token", "x")).startsWith("FAIL");
        awaitAudit("sec", "evil.test");

        // a restart keeps the grants (the inline value was sealed with the secrets key)
        fx.closeKeepingState();
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0, c -> c, env);
        api = new SandboxApi(fx, api);
        assertThat(request("sec", "api.allowed.test", "Authorization", "Bearer $API_TOKEN")).startsWith("200");
        assertThat(request("sec", "other.test", "X-Token", "after-restart", "Authorization", "$INLINE")).startsWith("200");
        assertThat(hosts.awaitLog("token=after-restart", Duration.ofSeconds(5)))
                .anyMatch(l -> l.contains("auth=" + INLINE) && l.contains("token=after-restart"));
        byte[] db = Files.readAllBytes(fx.stateDir().resolve("agentkernel.db"));
        String raw = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain(VALUE).doesNotContain(INLINE);
    }

    /**
     * On an image, programs that read none of the trust variables (curl with its compiled-in
     * bundle) trust the proxy's certificates through the image's own trust store, and still do
     * after {@code update-ca-certificates} rewrote it in the sandbox (the authority is an anchor).
     */
    @Test
    void theImagesOwnTrustStoreTrustsTheProxy() throws Exception {
        ServerFixture.Response set = fx.send(fx.request("/secrets/IMG_TOKEN")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"value\": \"img-" + VALUE + "\"}")).build());
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        String debian = dev.agentkernel.image.TestImages.get().debian();
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("image", debian);
        create.put("network_policy", Map.of("allow_domains", List.of("api.allowed.test")));
        create.put("secrets", List.of("IMG_TOKEN:api.allowed.test"));
        api.createOk("tls", create);
        String curl = "unset SSL_CERT_FILE CURL_CA_BUNDLE REQUESTS_CA_BUNDLE GIT_SSL_CAINFO; "
                + "curl -sS --max-time 10 -H \"Authorization: Bearer $IMG_TOKEN\" https://api.allowed.test/x";
        assertThat(api.sh("tls", curl)).startsWith("hello from https");
        assertThat(hosts.awaitLog("auth=Bearer img-" + VALUE, Duration.ofSeconds(5))).isNotEmpty();

        String authority = api.sh("tls", "cat /run/agentkernel/egress-ca.crt");
        assertThat(authority).contains("BEGIN CERTIFICATE");
        String bundle = api.sh("tls", "cat /etc/ssl/certs/ca-certificates.crt");
        assertThat(bundle).endsWith(authority);
        assertThat(bundle.split("BEGIN CERTIFICATE", -1).length - 1).as("the image's own authorities are kept")
                .isGreaterThan(50);
        assertThat(api.sh("tls", "cat /usr/local/share/ca-certificates/agentkernel-egress-ca.crt")).isEqualTo(authority);

        // the distribution's tool rewrites the bundle (by renaming a new file over it): the authority stays in
        JsonNode updated = api.execOk("tls", List.of("update-ca-certificates"), Map.of("sudo", true));
        assertThat(updated.path("exit_code").asInt()).as(updated.toString()).isZero();
        assertThat(api.sh("tls", curl)).startsWith("hello from https");

        // a sandbox of the same image without egress control has the image's bundle as it is
        api.createOk("plain-tls", Map.of("image", debian));
        assertThat(api.sh("plain-tls", "cat /etc/ssl/certs/ca-certificates.crt")).doesNotContain(authority.strip());
        assertThat(api.sh("plain-tls", "ls /usr/local/share/ca-certificates")).isEmpty();
    }

    /**
     * The docker backend's sandboxes are under the same control: the engine's container wired to the bridge, admitted
     * by the gateway before its command runs (an allowed name reached, another refused at once by the resolver, an
     * address literal refused by the proxy), on the image whose trust store trusts the proxy.
     */
    @Test
    void aDockerSandboxIsHeldToItsPolicy() throws Exception {
        String debian = dev.agentkernel.image.TestImages.get().debian();
        // without secrets, TLS to an allowed name is passed through (the test host's certificate: -k); the image's
        // trust store has the daemon's authority as an anchor all the same
        String script = "curl -sS -k --max-time 10 https://api.allowed.test/x; echo; "
                + "start=$(date +%s%N); curl -sS --max-time 10 https://other.test/x; echo \"refused $? $(( ($(date +%s%N) - start) / 1000000 ))\"; "
                + "curl -sS -k --max-time 10 https://" + PolicyHosts.WEB + "/x; echo \"literal $?\"; "
                + "ls /usr/local/share/ca-certificates";
        ServerFixture.Response run = fx.run(List.of("sh", "-c", script), Map.of("image", debian, "backend", "docker",
                "network_policy", Map.of("allow_domains", List.of("api.allowed.test"))));
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        String out = run.data().path("stdout").asText();
        assertThat(out).as(run.toString()).startsWith("hello from https api.allowed.test");
        String refused = out.lines().filter(l -> l.startsWith("refused ")).findFirst().orElseThrow();
        assertThat(refused).as(run.toString()).doesNotStartWith("refused 0 ");
        assertThat(Long.parseLong(refused.split(" ")[2])).as("a refusal, not a timeout: " + run).isLessThan(2000);
        assertThat(out).as(run.toString()).doesNotContain("literal 0").endsWith("agentkernel-egress-ca.crt\n");
        // the same image without a policy on docker does not trust the proxy's authority
        ServerFixture.Response plain = fx.run(List.of("sh", "-c", "ls /usr/local/share/ca-certificates | wc -l"),
                Map.of("image", debian, "backend", "docker"));
        assertThat(plain.data().path("stdout").asText()).as(plain.toString()).isEqualTo("0\n");
    }

    @Test
    void badSecretsAndPoliciesAreClearErrors() {
        ServerFixture.Response unknown = api.create("bad1", Map.of("secrets", List.of("NOPE:api.allowed.test")));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.body()).contains("NOPE");
        ServerFixture.Response domain = api.create("bad2", Map.of("network_policy",
                Map.of("allow_domains", List.of("exa mple.com"))));
        assertThat(domain.status()).as(domain.toString()).isEqualTo(400);
        assertThat(domain.body()).contains("allow_domains").contains("exa mple.com");
        ServerFixture.Response restrictive = api.create("bad3", Map.of("profile", "restrictive", "network_policy",
                Map.of("allow_domains", List.of("pypi.org"))));
        assertThat(restrictive.status()).as(restrictive.toString()).isEqualTo(400);
        assertThat(restrictive.body()).contains("restrictive");
        ServerFixture.Response run = fx.run(List.of("true"), Map.of("network_policy", Map.of("ports", List.of(0))));
        assertThat(run.status()).as(run.toString()).isEqualTo(400);
        assertThat(run.body()).contains("ports");
    }

    private static String hex(String text) {
        return java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static JsonNode awaitAudit(String sandbox, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode events;
        do {
            events = api.logs(sandbox).data();
            List<String> violations = new ArrayList<>();
            for (JsonNode e : events) {
                if (e.path("event").asText().equals("policy_violation") && e.toString().contains(text)) {
                    violations.add(e.toString());
                }
            }
            if (!violations.isEmpty()) {
                return events;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no policy_violation about " + text + " for " + sandbox + ": " + events);
    }
}
