package dev.agentkernel.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Git server of the tests' own: a network namespace joined to the host by a veth pair, whose
 * address {@link #ADDRESS} serves {@code DIR} over plain HTTP on port 80 (Python's
 * {@code http.server}), and a bare repository {@code repo.git} there, served by Git's "dumb" HTTP
 * protocol. The repository has a {@code README} on its default branch {@code main}, a branch
 * {@code feature} with a file {@code FEATURE} more, and a tag {@code v1} on main's first commit
 * (whose {@code README} says {@code one}). No traffic leaves the machine. Needs root, {@code ip},
 * {@code git} and python3; {@link #close} removes everything. Its addresses are its own
 * (198.18.99.0/24).
 */
public final class GitHost implements AutoCloseable {

    /** Where the repositories are served. */
    public static final String ADDRESS = "198.18.99.2";
    private static final String HOST_SIDE = "198.18.99.1";
    private static final AtomicInteger USES = new AtomicInteger();
    /** http.server's static files, without its reverse lookup of the address at start (no resolver in there). */
    private static final String SERVE = """
            import functools, http.server, socketserver, sys
            class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
                daemon_threads = True
                def server_bind(self):
                    socketserver.TCPServer.server_bind(self)
                    self.server_name, self.server_port = self.server_address[:2]
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
            Server((sys.argv[1], 80), handler).serve_forever()
            """;

    private final String namespace;
    private final Process server;

    private GitHost(String namespace, Process server) {
        this.namespace = namespace;
        this.server = server;
    }

    /** The URL of {@code repo.git}. */
    public static String repositoryUrl() {
        return "http://" + ADDRESS + "/repo.git";
    }

    /** Makes the repository under {@code dir}, the namespace and the server. */
    public static GitHost start(Path dir) throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path served = Files.createDirectories(dir.resolve("served"));
        git(work, "init", "-q", "-b", "main");
        Files.writeString(work.resolve("README"), "one\n");
        git(work, "add", "README");
        git(work, "commit", "-q", "-m", "first");
        git(work, "tag", "v1");
        Files.writeString(work.resolve("README"), "two\n");
        git(work, "commit", "-q", "-am", "second");
        git(work, "checkout", "-q", "-b", "feature");
        Files.writeString(work.resolve("FEATURE"), "feature\n");
        git(work, "add", "FEATURE");
        git(work, "commit", "-q", "-m", "feature");
        git(work, "checkout", "-q", "main");
        git(dir, "clone", "-q", "--bare", work.toString(), served.resolve("repo.git").toString());
        git(served.resolve("repo.git"), "update-server-info");

        String namespace = "akit-git-" + ProcessHandle.current().pid() + "-" + USES.incrementAndGet();
        String hostEnd = "akgit" + ProcessHandle.current().pid() % 100000 + USES.get();
        IpCommand.run("netns", "del", namespace);
        IpCommand.must("netns", "add", namespace);
        try {
            IpCommand.must("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", namespace);
            IpCommand.must("address", "add", HOST_SIDE + "/24", "dev", hostEnd);
            IpCommand.must("-n", namespace, "address", "add", ADDRESS + "/24", "dev", "eth0");
            IpCommand.must("link", "set", hostEnd, "up");
            IpCommand.must("-n", namespace, "link", "set", "eth0", "up");
            IpCommand.must("-n", namespace, "link", "set", "lo", "up");
            IpCommand.must("-n", namespace, "route", "add", "default", "via", HOST_SIDE);
            String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Process server = new ProcessBuilder("ip", "netns", "exec", namespace, python, "-c", SERVE, ADDRESS,
                    served.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            HostLeftovers.ignore(server.toHandle()); // the tests' own, not a sandbox's
            GitHost host = new GitHost(namespace, server);
            try {
                host.awaitListening();
            } catch (RuntimeException | Error e) {
                server.destroyForcibly();
                throw e;
            }
            return host;
        } catch (IOException | RuntimeException | Error e) {
            IpCommand.run("netns", "del", namespace);
            throw e;
        }
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ADDRESS, 80), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the test Git server did not start on " + ADDRESS + " (alive: " + server.isAlive() + ")");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
        server.waitFor(5, TimeUnit.SECONDS);
        IpCommand.run("netns", "del", namespace);
    }

    private static void git(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("git", "-c", "user.name=AgentKernel tests",
                "-c", "user.email=tests@agentkernel.invalid", "-c", "init.defaultBranch=main"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)) {
            throw new AssertionError(String.join(" ", argv) + ": " + out);
        }
    }
}
