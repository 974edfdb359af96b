package dev.agentkernel.egress.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.EgressRules;
import dev.agentkernel.egress.Refusal;
import dev.agentkernel.model.SecretGrant;
import dev.agentkernel.egress.Tenant;
import dev.agentkernel.model.NetworkPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy on loopback between a client (the "sandbox" at 127.0.0.1) and test upstream servers:
 * plain HTTP and HTTPS with a certificate of a test authority for {@code *.allowed.test}. The
 * resolver answers every test name with 127.0.0.1 (the same address under allowed and refused
 * names) and the proxy's upstream ports point at the test servers.
 */
class EgressProxyIT {

    private static final String SANDBOX = "proxy-test";
    private static final String PLACEHOLDER = "AK_SECRET_PLACEHOLDER_7f3a";
    private static final String VALUE = "the-real-secret-value-91c2";
    private static final SecretGrant GRANT = new SecretGrant("api-token", PLACEHOLDER, VALUE, List.of("api.allowed.test"),
            Optional.of("X-Api-Key"), true);
    private static final Inet4Address LOOPBACK = (Inet4Address) InetAddress.getLoopbackAddress();
    private static final NetworkPolicy POLICY = new NetworkPolicy(List.of("*.allowed.test"), List.of("blocked.allowed.test"),
            List.of(), List.of("127.0.0.2/32"), List.of(), Map.of());

    @TempDir
    Path dir;

    private final AtomicReference<Tenant> tenant = new AtomicReference<>();
    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    private final List<String> withheld = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private HttpServer plain;
    private HttpsServer secure;
    private CertificateAuthority testCa;
    private CertificateAuthority proxyCa;
    private EgressProxy proxy;

    /** What an upstream server got. */
    record Received(String server, String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> String.join(",", e.getValue())).orElse(null);
        }
    }

    @BeforeEach
    void start() throws Exception {
        testCa = CertificateAuthority.open(dir.resolve("test-ca"));
        proxyCa = CertificateAuthority.open(dir.resolve("proxy-ca"));
        plain = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        plain.createContext("/", exchange -> answer("plain", exchange));
        plain.start();
        secure = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        secure.setHttpsConfigurator(new HttpsConfigurator(testCa.serverContextFor("*.allowed.test")));
        secure.createContext("/", exchange -> answer("secure", exchange));
        secure.start();
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of()));
        EgressEvents events = new EgressEvents() {
            @Override
            public void refused(Refusal refusal) {
                refusals.add(refusal);
            }

            @Override
            public void placeholderWithheld(String sandbox, String secret, String host) {
                withheld.add(sandbox + " " + secret + " " + host);
            }
        };
        proxy = EgressProxy.start(LOOPBACK, source -> Optional.ofNullable(tenant.get()).filter(t -> t.address().equals(source)),
                EgressProxyIT::resolve, proxyCa, trusting(testCa), events,
                EgressProxy.Options.defaults().withUpstreamPorts(plain.getAddress().getPort(), secure.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        plain.stop(0);
        secure.stop(0);
    }

    private static List<Inet4Address> resolve(Tenant tenant, String name) throws UnknownHostException {
        return switch (name) {
            case "api.allowed.test", "other.allowed.test", "blocked.allowed.test", "evil.test" -> List.of(LOOPBACK);
            case "internal.allowed.test" -> List.of((Inet4Address) InetAddress.getByAddress(new byte[] {127, 0, 0, 2}));
            default -> throw new UnknownHostException(name);
        };
    }

    private void answer(String server, HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(server, exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                new LinkedHashMap<>(exchange.getRequestHeaders()), body));
        byte[] answer = ("hello from " + server + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    // ---- TLS port ----

    @Test
    void anAllowedNameOverTlsReachesItsServerUntouched() throws Exception {
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "api.allowed.test", trusting(testCa))) {
            Response response = exchange(tls, "GET /direct HTTP/1.1\r\nHost: api.allowed.test\r\nConnection: close\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello from secure /direct");
            X509Certificate presented = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            assertThat(presented.getIssuerX500Principal()).isEqualTo(testCa.certificate().getSubjectX500Principal());
        }
        assertThat(received.poll(5, TimeUnit.SECONDS).server()).isEqualTo("secure");
        assertThat(refusals).isEmpty();
    }

    @Test
    void aRefusedNameOverTlsIsAnsweredAtOnceWith403() throws Exception {
        long start = System.nanoTime();
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "evil.test", trusting(proxyCa))) {
            Response response = exchange(tls, "GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(403);
            assertThat(response.headers()).containsEntry("x-agentkernel-policy", "not in allow_domains");
            assertThat(response.body()).isEqualTo("AgentKernel network policy refused evil.test:" + secure.getAddress().getPort()
                    + " (not in allow_domains) for sandbox " + SANDBOX + "\n");
        }
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(refusals).containsExactly(new Refusal(SANDBOX, "evil.test", secure.getAddress().getPort(), "tls",
                "not in allow_domains"));
        assertThat(received).isEmpty();
    }

    @Test
    void aDeniedNameAndADeniedAddressOverTlsAreRefused() throws Exception {
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "blocked.allowed.test", trusting(proxyCa))) {
            assertThat(exchange(tls, "GET / HTTP/1.1\r\nHost: blocked.allowed.test\r\n\r\n").status()).isEqualTo(403);
        }
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "internal.allowed.test", trusting(proxyCa))) {
            Response response = exchange(tls, "GET / HTTP/1.1\r\nHost: internal.allowed.test\r\n\r\n");
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body()).contains("deny_addresses: 127.0.0.2/32");
        }
        assertThat(refusals).extracting(Refusal::destination, Refusal::rule).containsExactly(
                org.assertj.core.groups.Tuple.tuple("blocked.allowed.test", "deny_domains: blocked.allowed.test"),
                org.assertj.core.groups.Tuple.tuple("internal.allowed.test", "deny_addresses: 127.0.0.2/32 (127.0.0.2)"));
    }

    @Test
    void aClientHelloWithoutServerNameGetsAnAlertAtOnce() throws Exception {
        long start = System.nanoTime();
        try (Socket socket = connect(proxy.tlsPort())) {
            SSLSocket tls = (SSLSocket) trusting(proxyCa).getSocketFactory().createSocket(socket, "127.0.0.1", proxy.tlsPort(), true);
            assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
        }
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(refusals).extracting(Refusal::destination, Refusal::protocol)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("(no server name)", "tls"));
    }

    @Test
    void aConnectionFromNoSandboxIsClosedAtOnce() throws Exception {
        tenant.set(null);
        try (Socket socket = connect(proxy.httpPort())) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: api.allowed.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(received).isEmpty();
    }

    // ---- HTTP port ----

    @Test
    void aHostHeaderOfAnAllowedNameIsForwarded() throws Exception {
        Response response = plainExchange("GET /by-host?q=1 HTTP/1.1\r\nHost: api.allowed.test\r\nProxy-Connection: keep-alive\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from plain /by-host?q=1");
        Received got = received.poll(5, TimeUnit.SECONDS);
        assertThat(got.header("Host")).isEqualTo("api.allowed.test");
        assertThat(got.header("Connection")).isEqualTo("close");
        assertThat(got.header("Proxy-Connection")).isNull();
    }

    @Test
    void theSameAddressUnderARefusedNameIsRefused() throws Exception {
        Response response = plainExchange("GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).startsWith("AgentKernel network policy refused evil.test:" + plain.getAddress().getPort()
                + " (not in allow_domains) for sandbox " + SANDBOX);
        assertThat(refusals).containsExactly(new Refusal(SANDBOX, "evil.test", plain.getAddress().getPort(), "http",
                "not in allow_domains"));
        assertThat(received).isEmpty();
    }

    @Test
    void anAddressAsHostIsRefusedUnlessTheAddressRulesAllowIt() throws Exception {
        Response response = plainExchange("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + plain.getAddress().getPort() + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers()).containsEntry("x-agentkernel-policy", "not in allow_addresses");

        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY.merge(new NetworkPolicy(List.of(), List.of(),
                List.of("127.0.0.0/8"), List.of(), List.of(), Map.of()))), List.of()));
        assertThat(plainExchange("GET /literal HTTP/1.1\r\nHost: 127.0.0.1:" + plain.getAddress().getPort() + "\r\n\r\n").body())
                .isEqualTo("hello from plain /literal");
    }

    @Test
    void absoluteFormRequestsGoToTheirTarget() throws Exception {
        int port = plain.getAddress().getPort();
        Response allowed = plainExchange("GET http://api.allowed.test:" + port + "/absolute HTTP/1.1\r\nHost: ignored.test\r\n\r\n");
        Response refused = plainExchange("GET http://evil.test:" + port + "/ HTTP/1.1\r\nHost: api.allowed.test\r\n\r\n");

        assertThat(allowed.body()).isEqualTo("hello from plain /absolute");
        Received got = received.poll(5, TimeUnit.SECONDS);
        assertThat(got.path()).isEqualTo("/absolute");
        assertThat(got.header("Host")).isEqualTo("api.allowed.test:" + port);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refusals).extracting(Refusal::destination).containsExactly("evil.test");
    }

    @Test
    void aPortOutsideThePolicyIsRefused() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY.merge(new NetworkPolicy(List.of(), List.of(), List.of(),
                List.of(), List.of(443), Map.of()))), List.of()));

        Response response = plainExchange("GET / HTTP/1.1\r\nHost: api.allowed.test\r\n\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers().get("x-agentkernel-policy")).startsWith("port " + plain.getAddress().getPort());
    }

    @Test
    void anAllowedNameWithoutAddressIs502AndBadRequestsAre400() throws Exception {
        Response unknown = plainExchange("GET / HTTP/1.1\r\nHost: nowhere.allowed.test\r\n\r\n");
        Response noHost = plainExchange("GET / HTTP/1.1\r\n\r\n");
        Response garbage = plainExchange("\u0016\u0003\u0001 hello\r\n\r\n");

        assertThat(unknown.status()).isEqualTo(502);
        assertThat(unknown.body()).contains("nowhere.allowed.test has no address");
        assertThat(noHost.status()).isEqualTo(400);
        assertThat(noHost.body()).contains("Host");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(refusals).isEmpty();
    }

    @Test
    void connectToAnAllowedNameTunnelsTls() throws Exception {
        int port = secure.getAddress().getPort();
        Socket socket = connect(proxy.httpPort());
        socket.getOutputStream().write(("CONNECT api.allowed.test:" + port + " HTTP/1.1\r\nHost: api.allowed.test:" + port
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
        try (SSLSocket tls = tls(socket, "api.allowed.test", trusting(testCa))) {
            Response response = exchange(tls, "GET /tunnel HTTP/1.1\r\nHost: api.allowed.test\r\nConnection: close\r\n\r\n");
            assertThat(response.body()).isEqualTo("hello from secure /tunnel");
        }
    }

    @Test
    void connectToARefusedNameIs403() throws Exception {
        Response response = plainExchange("CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("refused evil.test:443 (not in allow_domains)");
        assertThat(refusals).containsExactly(new Refusal(SANDBOX, "evil.test", 443, "connect", "not in allow_domains"));
    }

    @Test
    void closingTheProxyEndsItsTunnels() throws Exception {
        int port = secure.getAddress().getPort();
        Socket socket = connect(proxy.httpPort());
        socket.getOutputStream().write(("CONNECT api.allowed.test:" + port + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 ");

        proxy.close();

        assertThat(socket.getInputStream().read()).isEqualTo(-1);
        assertThatThrownBy(() -> connect(proxy.httpPort())).isInstanceOf(IOException.class);
    }

    // ---- secrets ----

    @Test
    void aGrantedHostGetsTheSecretInHeadersAndBodiesOverInterceptedTls() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "api.allowed.test", trusting(proxyCa))) {
            String body = "{\"token\":\"" + PLACEHOLDER + "\"}";
            Response first = exchange(tls, "POST /one HTTP/1.1\r\nHost: api.allowed.test\r\nAuthorization: Bearer " + PLACEHOLDER
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            Response second = exchange(tls, "POST /two HTTP/1.1\r\nHost: api.allowed.test\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n5\r\nkey=A\r\n" + Integer.toHexString(PLACEHOLDER.length() - 1) + "\r\n"
                    + PLACEHOLDER.substring(1) + "\r\n0\r\n\r\n");

            assertThat(first.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("hello from secure /two");
            X509Certificate presented = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            assertThat(presented.getIssuerX500Principal()).isEqualTo(proxyCa.certificate().getSubjectX500Principal());
            assertThat(tls.getApplicationProtocol()).isIn("", "http/1.1");
        }
        Received one = received.poll(5, TimeUnit.SECONDS);
        Received two = received.poll(5, TimeUnit.SECONDS);
        assertThat(one.header("Authorization")).isEqualTo("Bearer " + VALUE);
        assertThat(one.header("X-Api-Key")).isEqualTo(VALUE);
        assertThat(one.body()).isEqualTo("{\"token\":\"" + VALUE + "\"}");
        assertThat(one.header("Content-Length")).isEqualTo(Integer.toString(one.body().length()));
        assertThat(two.body()).isEqualTo("key=" + VALUE);
        assertThat(withheld).isEmpty();
    }

    @Test
    void anotherHostGetsThePlaceholderAndItIsReported() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "other.allowed.test", trusting(proxyCa))) {
            Response response = exchange(tls, "POST /leak HTTP/1.1\r\nHost: other.allowed.test\r\nAuthorization: Bearer "
                    + PLACEHOLDER + "\r\nContent-Length: " + PLACEHOLDER.length() + "\r\nConnection: close\r\n\r\n" + PLACEHOLDER);
            assertThat(response.status()).isEqualTo(200);
        }
        Received got = received.poll(5, TimeUnit.SECONDS);
        assertThat(got.header("Authorization")).isEqualTo("Bearer " + PLACEHOLDER);
        assertThat(got.header("X-Api-Key")).isNull();
        assertThat(got.body()).isEqualTo(PLACEHOLDER);
        // reported once the request is forwarded, which may be after the server answered
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (withheld.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(withheld).containsExactly(SANDBOX + " api-token other.allowed.test");
    }

    @Test
    void aHostHeaderNamingAnotherHostInsideInterceptedTlsIsChecked() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "other.allowed.test", trusting(proxyCa))) {
            Response response = exchange(tls, "GET / HTTP/1.1\r\nHost: evil.test\r\nAuthorization: " + PLACEHOLDER + "\r\n\r\n");
            assertThat(response.status()).isEqualTo(403);
        }
        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "other.allowed.test", trusting(proxyCa))) {
            exchange(tls, "GET /fronted HTTP/1.1\r\nHost: api.allowed.test\r\nAuthorization: " + PLACEHOLDER
                    + "\r\nConnection: close\r\n\r\n");
        }
        assertThat(refusals).extracting(Refusal::destination).containsExactly("evil.test");
        Received fronted = received.poll(5, TimeUnit.SECONDS);
        assertThat(fronted.path()).isEqualTo("/fronted");
        assertThat(fronted.header("Authorization")).isEqualTo(PLACEHOLDER);
    }

    @Test
    void plainHttpAndConnectTunnelsGetTheSecretToo() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));
        plainExchange("GET /plain HTTP/1.1\r\nHost: api.allowed.test\r\nAuthorization: " + PLACEHOLDER + "\r\n\r\n");
        int port = secure.getAddress().getPort();
        Socket socket = connect(proxy.httpPort());
        socket.getOutputStream().write(("CONNECT api.allowed.test:" + port + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 ");
        try (SSLSocket tls = tls(socket, "api.allowed.test", trusting(proxyCa))) {
            exchange(tls, "GET /tunnelled HTTP/1.1\r\nHost: api.allowed.test\r\nAuthorization: " + PLACEHOLDER
                    + "\r\nConnection: close\r\n\r\n");
        }

        assertThat(received.poll(5, TimeUnit.SECONDS).header("Authorization")).isEqualTo(VALUE);
        Received tunnelled = received.poll(5, TimeUnit.SECONDS);
        assertThat(tunnelled.path()).isEqualTo("/tunnelled");
        assertThat(tunnelled.header("Authorization")).isEqualTo(VALUE);
    }

    @Test
    void anUpstreamWhoseCertificateIsNotTrustedIsNeverSentTheSecret() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));
        proxy.close();
        proxy = EgressProxy.start(LOOPBACK, source -> Optional.of(tenant.get()), EgressProxyIT::resolve, proxyCa,
                trusting(proxyCa), EgressEvents.NONE,
                EgressProxy.Options.defaults().withUpstreamPorts(plain.getAddress().getPort(), secure.getAddress().getPort()));

        try (SSLSocket tls = tls(connect(proxy.tlsPort()), "api.allowed.test", trusting(proxyCa))) {
            Response response = exchange(tls, "GET / HTTP/1.1\r\nHost: api.allowed.test\r\nAuthorization: " + PLACEHOLDER + "\r\n\r\n");
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("TLS to api.allowed.test").doesNotContain(VALUE);
        }
        assertThat(received).isEmpty();
    }

    @Test
    void aClientThatDoesNotTrustTheProxyCannotBeIntercepted() throws Exception {
        tenant.set(new Tenant(SANDBOX, LOOPBACK, new EgressRules(POLICY), List.of(GRANT)));

        assertThatThrownBy(() -> tls(connect(proxy.tlsPort()), "api.allowed.test", trusting(testCa)))
                .isInstanceOf(SSLHandshakeException.class);
    }

    // ---- the client's side ----

    /** An answer: status, header fields (names in lower case) and body. */
    record Response(int status, Map<String, String> headers, String body) {
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(LOOPBACK, port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static SSLSocket tls(Socket socket, String host, SSLContext trust) throws IOException {
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    private Response plainExchange(String request) throws IOException {
        try (Socket socket = connect(proxy.httpPort())) {
            return exchange(socket, request);
        }
    }

    /** Sends {@code request} and reads one answer (framed by Content-Length, else up to the end). */
    private static Response exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        List<Integer> last = new ArrayList<>();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside an answer's head: " + head);
            }
            head.write(b);
            last.add(b);
            if (last.size() > 4) {
                last.removeFirst();
            }
            if (last.equals(List.of((int) '\r', (int) '\n', (int) '\r', (int) '\n'))) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static SSLContext trusting(CertificateAuthority ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
