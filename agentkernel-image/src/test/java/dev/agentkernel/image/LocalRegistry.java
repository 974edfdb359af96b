package dev.agentkernel.image;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real CNCF distribution registry (Debian's docker-registry) on loopback, plain HTTP, over a
 * filesystem root that several instances may share (one without auth to push to, others with
 * basic or token auth to pull from).
 */
public final class LocalRegistry implements AutoCloseable {

    private static final Pattern ACCESS = Pattern.compile(
            "\"GET (/v2/\\S+/blobs/(sha256:[0-9a-f]{64})) HTTP/1\\.1\" (\\d{3}) (\\d+|-)");

    final int port;
    final Path storage;
    final Path log;
    private final Process process;

    /** One blob GET seen in the access log. */
    record BlobGet(String uri, String digest, int status, long bytes) {
    }

    private LocalRegistry(int port, Path storage, Path log, Process process) {
        this.port = port;
        this.storage = storage;
        this.log = log;
        this.process = process;
    }

    /** Starts a registry over {@code storage}; {@code authYaml} is the config's auth section (or ""). */
    static LocalRegistry start(Path workDir, Path storage, String name, String authYaml) throws IOException {
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
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalRegistry r = new LocalRegistry(port, storage, log, p);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        r.awaitUp();
        return r;
    }

    private void awaitUp() throws IOException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("docker-registry exited: " + Files.readString(log));
                }
                try {
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException("docker-registry did not answer on port " + port + ": " + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT}, the registry part of a reference to it. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Blob GETs logged so far (the registry's own access log). */
    List<BlobGet> blobGets() throws IOException {
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

    /** The file holding blob {@code digest} in the registry's storage. */
    Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
