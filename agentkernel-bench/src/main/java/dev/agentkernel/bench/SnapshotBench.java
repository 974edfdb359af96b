package dev.agentkernel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import dev.agentkernel.testing.LocalRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Benchmark of snapshots and forks through a real daemon in this process (bwrap backend, a
 * busybox image pushed to a registry on loopback), each against a baseline measured in the same
 * run:
 * <ul>
 *   <li>a snapshot of a sandbox that wrote 100 MB (random, 10 files of 10 MB in {@code /workspace},
 *       and a file in its image's root) against {@code tar -cf} of the same two
 *       directories on the host (what any snapshot must at least read and write);</li>
 *   <li>a fork of that sandbox into 10 ({@code POST /sandboxes/NAME/fork}) against creating 10
 *       sandboxes from its image ({@code POST /sandboxes}, one after the other).</li>
 * </ul>
 * Writes the section {@code snapshots} of BENCHMARKS.md. Run as root. Usage:
 * {@code scripts/bench.sh --only snapshots [--rounds N]}.
 */
public final class SnapshotBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECTION = "snapshots";
    private static final int FILES = 10;
    private static final int FILE_BYTES = 10 << 20;
    private static final int FORKS = 10;
    private static final String USAGE = """
            usage: SnapshotBench [--rounds N] [--markdown FILE]
              --rounds N       measured snapshots and forks (default 5, after 1 warm-up)
              --markdown FILE  rewrite the 'snapshots' section of this file (BENCHMARKS.md)""";

    private int rounds = 5;
    private Path markdown;
    private LeanHttpClient http;

    private SnapshotBench() {
    }

    /** Entry point; see {@code --help}. */
    public static void main(String[] args) throws Exception {
        SnapshotBench bench = new SnapshotBench();
        BenchArgs options = new BenchArgs(USAGE)
                .number("--rounds", v -> bench.rounds = v);
        if (!options.parse(args)) {
            return;
        }
        bench.markdown = options.markdown().orElse(null);
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("ak-snapshotbench-");
        try {
            Path registryDir = Files.createDirectories(work.resolve("registry"));
            try (LocalRegistry registry = LocalRegistry.start(registryDir,
                    Files.createDirectories(registryDir.resolve("storage")), "registry", "")) {
                BenchImages builder = new BenchImages(work);
                builder.busybox("busybox");
                String image = builder.push("busybox", registry.host(), "bench/busybox:1");
                HostContext host = HostContext.current().withDirs(Files.createDirectories(work.resolve("state")),
                        Files.createDirectories(work.resolve("runtime")));
                DaemonConfig config = DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, List.of(), 16L << 20))
                        .withBackend(Optional.of("bwrap")).withPoolSize(0).withMaxSandboxes(2 * FORKS + 4);
                config = config.withSessions(config.sessions().withPoolPerTemplate(0));
                try (Daemon daemon = Daemon.start(config, host);
                     LeanHttpClient client = new LeanHttpClient("127.0.0.1", daemon.port())) {
                    http = client;
                    measure(daemon.sandboxes(), image, host.stateDir().resolve("sandboxes").resolve("src"), work);
                }
            }
        } finally {
            BenchImages.run(List.of("rm", "-rf", work.toString()));
        }
    }

    private void measure(SandboxManager sandboxes, String image, Path srcDir, Path work) throws Exception {
        String load = Machine.loadAverage();
        require(post("/sandboxes", json(Map.of("name", "src", "image", image, "disk_mb", 1024))), 201);
        for (int i = 0; i < FILES; i++) {
            sandboxes.writeFile("src", "/workspace/data/part-" + i + ".bin", random(FILE_BYTES, i));
        }
        require(post("/sandboxes/src/exec", json(Map.of("command", List.of("sh", "-c", "echo x > /bench.conf"),
                "sudo", true))), 200); // a change to the image's root, in its writable layer
        Samples snapshot = new Samples();
        Samples tar = new Samples();
        Samples fork = new Samples();
        Samples create = new Samples();
        long size = 0;
        for (int round = 0; round < 1 + rounds; round++) {
            long t0 = System.nanoTime();
            JsonNode taken = require(post("/snapshots", json(Map.of("sandbox", "src", "name", "s" + round))), 201);
            long t1 = System.nanoTime();
            size = taken.path("data").path("size_bytes").asLong();
            Path out = work.resolve("baseline.tar");
            Path data = srcDir.resolve("fs");
            BenchImages.run(List.of("tar", "-cf", out.toString(), "-C", data.toString(), "root-layer/upper",
                    "workspace"));
            long t2 = System.nanoTime();
            Files.deleteIfExists(out);

            long t3 = System.nanoTime();
            JsonNode forked = require(post("/sandboxes/src/fork", json(Map.of("count", FORKS))), 201);
            long t4 = System.nanoTime();
            for (JsonNode s : forked.path("data").path("sandboxes")) {
                require(http.delete("/sandboxes/" + s.path("name").asText()), 200);
            }
            require(http.delete("/snapshots/" + forked.path("data").path("snapshot").path("name").asText()), 200);
            long t5 = System.nanoTime();
            List<String> made = new ArrayList<>();
            for (int i = 0; i < FORKS; i++) {
                require(post("/sandboxes", json(Map.of("name", "plain-" + i, "image", image))), 201);
                made.add("plain-" + i);
            }
            long t6 = System.nanoTime();
            for (String name : made) {
                require(http.delete("/sandboxes/" + name), 200);
            }
            require(http.delete("/snapshots/s" + round), 200);
            if (round > 0) {
                snapshot.add(t1 - t0);
                tar.add(t2 - t1);
                fork.add(t4 - t3);
                create.add(t6 - t5);
            }
        }
        require(http.delete("/sandboxes/src"), 200);
        String md = markdown(load, Machine.loadAverage(), size, List.of(
                new Variant("snapshot of a sandbox that wrote 100 MB (`POST /snapshots`)", snapshot),
                new Variant("baseline: `tar -cf` of its writable layer and /workspace on the host", tar),
                new Variant("fork into " + FORKS + " (`POST /sandboxes/src/fork`, one snapshot included)", fork),
                new Variant("baseline: " + FORKS + " sandboxes created from its image (`POST /sandboxes`, in turn)",
                        create)));
        System.out.println(md);
        if (markdown != null) {
            Report.updateSection(markdown, SECTION, md);
            System.err.println("bench: updated section '" + SECTION + "' of " + markdown);
        }
    }

    /** A measured variant. */
    private record Variant(String name, Samples samples) {
    }

    private String markdown(String loadBefore, String loadAfter, long size, List<Variant> variants) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Snapshots and forks\n\n");
        sb.append(String.format(Locale.ROOT, "Measured %s UTC with `scripts/bench.sh --only snapshots` (harness "
                        + "`dev.agentkernel.bench.SnapshotBench`): a real daemon in process (bwrap backend), a busybox "
                        + "image from a registry on loopback, a persistent sandbox with a 1 GiB disk that wrote %d files "
                        + "of %d MiB of random bytes into /workspace; %d rounds after 1 warm-up, each variant beside its "
                        + "baseline in the same round; load average %s before, %s after.%n%n",
                ZonedDateTime.now(ZoneOffset.UTC).toLocalDateTime().withNano(0), FILES, FILE_BYTES >> 20, rounds,
                loadBefore, loadAfter));
        sb.append(String.format(Locale.ROOT, "Snapshot size (its own layer, uncompressed): %.1f MiB.%n%n",
                size / (1024.0 * 1024.0)));
        sb.append("| Variant | n | p50 (ms) | p90 (ms) | p99 (ms) | mean (ms) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (Variant v : variants) {
            Stats s = v.samples().stats();
            sb.append("| ").append(v.name()).append(" | ").append(s.n()).append(" | ").append(Report.ms(s.p50()))
                    .append(" | ").append(Report.ms(s.p90())).append(" | ").append(Report.ms(s.p99())).append(" | ")
                    .append(Report.ms(s.mean())).append(" |\n");
        }
        sb.append("\nA snapshot reads the sandbox's files once into an uncompressed layer (hashed as it is written), "
                + "moves it into the blob store and unpacks it with the store's checks, as for a pulled layer: the data "
                + "is written twice and read twice, against tar's one write and one read. A fork is one snapshot plus "
                + "the sandboxes' starts, each seeded with the snapshot's /workspace.\n");
        return sb.toString();
    }

    private static InputStream random(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return new java.io.ByteArrayInputStream(data);
    }

    private LeanHttpClient.Response post(String path, String body) throws IOException {
        return http.post(path, body);
    }

    private static String json(Object body) throws IOException {
        return JSON.writeValueAsString(body);
    }

    private static JsonNode require(LeanHttpClient.Response r, int status) throws IOException {
        if (r.status() != status) {
            throw new IllegalStateException("HTTP " + r.status() + " (expected " + status + "): " + r.text());
        }
        return JSON.readTree(r.body());
    }
}
