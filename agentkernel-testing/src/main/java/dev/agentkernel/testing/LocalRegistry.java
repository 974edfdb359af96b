package dev.agentkernel.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}, Debian's package) on a loopback
 * port, plain HTTP, over a storage directory that several instances may share (one without auth to
 * push to, others with basic or token auth to pull from). Its access log is kept, so that tests can
 * see which blobs were fetched ({@link #blobGets()}).
 *
 * <p>The registry process is {@linkplain HostLeftovers#ignore ignored} by {@link HostLeftovers}: it
 * is no sandbox's leftover. {@link #close()} stops it; a shutdown hook stops it at the latest when
 * the JVM exits.
 */
public final class LocalRegistry implements AutoCloseable {

    private static final Pattern ACCESS = Pattern.compile(
            "\"GET (/v2/\\S+/blobs/(sha256:[0-9a-f]{64})) HTTP/1\\.1\" (\\d{3}) (\\d+|-)");
    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    private final int port;
    private final Path storage;
    private final Path log;
    private final Process process;

    /** One blob GET seen in the access log: the request's path, the blob's digest, the status and the bytes sent. */
    public record BlobGet(String uri, String digest, int status, long bytes) {
    }

    private LocalRegistry(int port, Path storage, Path log, Process process) {
        this.port = port;
        this.storage = storage;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts a registry over {@code storage} and waits until it answers; its configuration
     * ({@code NAME.yml}) and log ({@code NAME.log}) go to {@code workDir}.
     *
     * @param authYaml the configuration's {@code auth:} section, or {@code ""} for none
     * @throws IOException if {@code docker-registry} cannot be started, exits, or does not answer within
     *                     20 s (the message holds its log); the process is stopped then
     */
    public static LocalRegistry start(Path workDir, Path storage, String name, String authYaml) throws IOException {
        int port = freePort();
        Path config = workDir.resolve(name + ".yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: info
                  accesslog:
                    disabled: false
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                %s
                """.formatted(storage, port, authYaml));
        Path log = workDir.resolve(name + ".log");
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        HostLeftovers.ignore(p.toHandle());
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        LocalRegistry registry = new LocalRegistry(port, storage, log, p);
        try {
            registry.awaitUp();
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private void awaitUp() throws IOException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("docker-registry exited (" + process.exitValue() + "): "
                            + Files.readString(log));
                }
                try {
                    http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for docker-registry on " + host(), e);
        }
        throw new IOException("docker-registry did not answer on " + host() + " within " + START_LIMIT + ": "
                + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT}, the registry part of a reference to an image here. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** The directory it stores into. */
    public Path storage() {
        return storage;
    }

    /** Its log (access log included). */
    public Path log() {
        return log;
    }

    /** Blob GETs logged so far (the registry's own access log), oldest first. */
    public List<BlobGet> blobGets() throws IOException {
        List<BlobGet> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = ACCESS.matcher(line);
            if (m.find()) {
                out.add(new BlobGet(m.group(1), m.group(2), Integer.parseInt(m.group(3)),
                        m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4))));
            }
        }
        return out;
    }

    /** The file holding blob {@code digest} ({@code sha256:HEX}) in the registry's storage. */
    public Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    /** Stops the registry and waits for it (10 s, then it is killed). Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
