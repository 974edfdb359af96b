package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The task examples of {@code examples/} (the three of the tasks documentation: a pipeline
 * through the shared workspace, concurrent tasks, error handling) run as the programs they are
 * (the JDK's source launcher, the client's classes or jar, the contract's and Jackson on the class path) against the
 * real daemon, their output checked against values computed here.
 */
class ExamplesIT extends DaemonTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    /** Runs {@code examples/NAME} with the daemon's URL and key in its environment. */
    Run example(String name, String... args) throws IOException, InterruptedException {
        Path examples = Path.of(System.getProperty("user.dir")).toAbsolutePath().resolveSibling("examples");
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("agentkernel-client") && !e.endsWith("test-classes") || e.contains("agentkernel-api")
                        || e.contains("jackson-"))
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, examples.resolve(name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AGENTKERNEL_BASE_URL", fx.baseUrl());
        pb.environment().put("AGENTKERNEL_API_KEY", Daemons.KEY);
        Path err = Files.createTempFile("ak-example-", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(name + " did not end within 5 minutes; output: " + out);
            }
            return new Run(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void thePipelineHandsItsFilesOnThroughTheWorkspace() throws Exception {
        int rows = 50_000;
        Run r = example("TaskPipeline.java", Integer.toString(rows));
        assertThat(r.code()).as("%s", r).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains("stage 1: Loaded " + rows + " rows");
        for (int i = 0; i < 5; i++) {
            assertThat(lines).contains("stage 2: Processed chunk " + i + ": " + rows / 5 + " rows");
        }
        Map<String, Long> expected = new TreeMap<>();
        String[] categories = {"books", "games", "music", "tools"};
        for (int i = 0; i < rows; i++) {
            expected.merge(categories[i % 4], (long) (i * 37) % 101, Long::sum);
        }
        List<String> totals = lines.subList(lines.indexOf("stage 3: totals by category") + 1, lines.size());
        assertThat(totals).containsExactlyElementsOf(expected.entrySet().stream()
                .map(e -> String.format("%-8s %12d", e.getKey(), e.getValue())).toList());
        assertThat(client.executeTask("import glob\nprint(glob.glob('/workspace/pipeline-*'))").output())
                .as("the pipeline's directory is removed").isEqualTo("[]\n");
    }

    @Test
    void fiveTasksRunAtOnceAndAreCollected() throws Exception {
        Run r = example("ParallelTasks.java");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.err()).isEmpty();
        for (String ticker : List.of("AAPL", "GOOGL", "MSFT", "AMZN", "TSLA")) {
            String line = r.out().lines().filter(l -> l.startsWith(ticker + " ")).findFirst().orElseThrow(
                    () -> new AssertionError("no result for " + ticker + " in " + r));
            JsonNode json = JSON.readTree(line.substring(ticker.length() + 1));
            long x = new java.math.BigInteger(1, ticker.getBytes(StandardCharsets.US_ASCII))
                    .mod(java.math.BigInteger.TWO.pow(31)).longValue();
            long price = 10000;
            long high = price;
            long low = price;
            for (int step = 0; step < 1_000_000; step++) {
                x = (1103515245L * x + 12345) % (1L << 31);
                price = Math.max(100, price + x % 401 - 200);
                high = Math.max(high, price);
                low = Math.min(low, price);
            }
            assertThat(json.get("ticker").asText()).isEqualTo(ticker);
            assertThat(json.get("last").asLong()).isEqualTo(price);
            assertThat(json.get("high").asLong()).isEqualTo(high);
            assertThat(json.get("low").asLong()).isEqualTo(low);
        }
        assertThat(r.out()).contains("5 of 5 completed in ");
    }

    @Test
    void errorsAreStatusesWithTheirMessages() throws Exception {
        Run r = example("TaskErrors.java");
        assertThat(r.code()).as("%s", r).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains("Task failed: ZeroDivisionError: division by zero");
        assertThat(r.out()).contains("  | Traceback (most recent call last):");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("Task timeout: ").contains("timeout of 2 s"));
        assertThat(lines).contains("after 2 s: running");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("cancelled: true, now cancelled: "));
        assertThat(lines).contains("cancelled again: false");
        assertThat(lines).contains("executeTask: completed, output 45, error none");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("unknown task: "));
    }
}
