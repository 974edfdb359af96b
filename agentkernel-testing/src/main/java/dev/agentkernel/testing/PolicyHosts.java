package dev.agentkernel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hosts of the egress-policy tests, in a network namespace of their own joined to the host
 * by a veth pair: {@link #WEB} serves HTTP on 80, HTTPS on 443 (a certificate of a test CA, made
 * here with {@code openssl}, for every name the tests use) and a TCP greeting on {@link #TCP_PORT};
 * {@link #OTHER} serves the same TCP greeting (an address no allowed name resolves to). Every
 * HTTP request is recorded (its {@code Host}, path, {@code Authorization} and {@code X-Token} headers and body), and
 * every TCP connection. No traffic leaves the machine. Needs root, {@code ip}, {@code openssl} and
 * python3; {@link #close} removes everything. Its addresses are its own (198.18.88.0/24), so it
 * runs beside the other network tests' hosts.
 */
public final class PolicyHosts implements AutoCloseable {

    public static final String WEB = "198.18.88.2";
    public static final String OTHER = "198.18.88.3";
    public static final String HOST_SIDE = "198.18.88.1";
    public static final int TCP_PORT = 4790;
    private static final String SERVE = """
            import http.server, socket, socketserver, ssl, sys, threading
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                disable_nagle_algorithm = True  # the head and the body are two writes: no 40 ms wait for an ACK
                def do_any(self):
                    n = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                    print("REQUEST", self.server.scheme, self.headers.get("Host"), self.path,
                          "auth=" + str(self.headers.get("Authorization")), "token=" + str(self.headers.get("X-Token")),
                          "body=" + body, flush=True)
                    reply = ("hello from " + self.server.scheme + " " + str(self.headers.get("Host")) + "\\n").encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                do_GET = do_any
                do_POST = do_any
                def log_message(self, *args):
                    pass
            class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
                daemon_threads = True
                allow_reuse_address = True
            plain = Server(("0.0.0.0", 80), Handler); plain.scheme = "http"
            tls = Server(("0.0.0.0", 443), Handler); tls.scheme = "https"
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            tls.socket = context.wrap_socket(tls.socket, server_side=True)
            def greet():
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", %d)); s.listen(50)
                while True:
                    c, peer = s.accept()
                    print("TCP", c.getsockname()[0], flush=True)
                    c.sendall(b"greetings\\n"); c.close()
            for target in (plain.serve_forever, tls.serve_forever, greet):
                threading.Thread(target=target, daemon=True).start()
            print("READY", flush=True)
            threading.Event().wait()
            """.formatted(TCP_PORT);

    private static final AtomicInteger USES = new AtomicInteger();
    private final String namespace;
    private final Process server;
    private final Path caCertificate;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private PolicyHosts(String namespace, Process server, Path caCertificate) {
        this.namespace = namespace;
        this.server = server;
        this.caCertificate = caCertificate;
    }

    /** Creates the namespace, the test CA and its certificate for {@code names}, and starts the services. */
    public static PolicyHosts start(Path dir, List<String> names) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("test-ca.crt");
        Path caKey = dir.resolve("test-ca.key");
        Path cert = dir.resolve("web.crt");
        Path key = dir.resolve("web.key");
        Path csr = dir.resolve("web.csr");
        Path ext = dir.resolve("web.ext");
        Files.writeString(ext, "subjectAltName=" + String.join(",", names.stream().map(n -> "DNS:" + n).toList()) + "\n");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(),
                "-days", "2", "-subj", "/CN=AgentKernel test CA");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/CN=" + names.getFirst());
        run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        String suffix = ProcessHandle.current().pid() + "-" + USES.incrementAndGet();
        String namespace = "akit-policy-" + suffix;
        String hostEnd = "akip" + suffix;
        ip("netns", "del", namespace);
        ip("netns", "add", namespace);
        try {
            must("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
            must("address", "add", HOST_SIDE + "/24", "dev", hostEnd);
            must("-n", namespace, "address", "add", WEB + "/24", "dev", "eth0");
            must("-n", namespace, "address", "add", OTHER + "/24", "dev", "eth0");
            must("link", "set", hostEnd, "up");
            must("-n", namespace, "link", "set", "eth0", "up");
            must("-n", namespace, "link", "set", "lo", "up");
            must("-n", namespace, "route", "add", "default", "via", HOST_SIDE);
            Process server = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-c", SERVE,
                    cert.toString(), key.toString()).redirectErrorStream(true).start();
            HostLeftovers.ignore(server.toHandle()); // the tests' own, not a sandbox's
            PolicyHosts hosts = new PolicyHosts(namespace, server, ca);
            hosts.readOutput();
            return hosts;
        } catch (IOException | RuntimeException | Error e) {
            ip("netns", "del", namespace);
            throw e;
        }
    }

    /** The test CA's certificate (PEM): what the services' certificate is signed by. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** Every line the services logged: {@code REQUEST scheme host path auth=... body=...} and {@code TCP address}. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** The log once a line containing {@code text} is there (or {@code wait} passed). */
    public List<String> awaitLog(String text, java.time.Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (log.stream().noneMatch(l -> l.contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return log();
    }

    private void readOutput() throws InterruptedException {
        List<String> ready = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("READY")) {
                        ready.add(line);
                    } else {
                        log.add(line);
                    }
                }
            } catch (IOException e) {
                // stopped
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ready.isEmpty() && System.nanoTime() < deadline && server.isAlive()) {
            Thread.sleep(10);
        }
        if (ready.isEmpty()) {
            throw new AssertionError("the policy test hosts did not start: " + log);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.destroyForcibly();
        server.waitFor(5, TimeUnit.SECONDS);
        ip("netns", "del", namespace);
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)) {
            throw new AssertionError(String.join(" ", argv) + ": " + out);
        }
    }

    private static void must(String... args) throws IOException, InterruptedException {
        IpCommand.must(args);
    }

    private static int ip(String... args) throws IOException, InterruptedException {
        return IpCommand.run(args);
    }
}
