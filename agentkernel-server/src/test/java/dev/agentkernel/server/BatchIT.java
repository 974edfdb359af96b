package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /batch/run}: order, per-entry results, isolation of failures, parallelism. */
class BatchIT extends ServerTestBase {

    private static Map<String, Object> entry(Object... argv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", List.of(argv));
        return m;
    }

    private static JsonNode results(ServerFixture.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode results = r.data().path("results");
        assertThat(results.isArray()).as("%s", r).isTrue();
        for (JsonNode result : results) {
            assertThat(result.has("output")).as("output key in %s", result).isTrue();
            assertThat(result.has("error")).as("error key in %s", result).isTrue();
        }
        return results;
    }

    @Test
    void documentExample() {
        ServerFixture.Response r = fx.postJson("/batch/run", Map.of("commands", List.of(
                entry("echo", "hello"), entry("python3", "-c", "print(2+2)"))));
        JsonNode results = results(r);
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("output").asText()).isEqualTo("hello\n");
        assertThat(results.get(0).get("error").isNull()).as("%s", results.get(0)).isTrue();
        assertThat(results.get(1).path("output").asText()).isEqualTo("4\n");
        assertThat(results.get(1).get("error").isNull()).isTrue();
    }

    @Test
    void resultsAreInInputOrderNotCompletionOrder() {
        List<Object> commands = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // the first entries sleep longest, so they finish last
            commands.add(entry("sh", "-c", "sleep 0." + (6 - i) + "; echo " + i));
        }
        JsonNode results = results(fx.postJson("/batch/run", Map.of("commands", commands)));
        assertThat(results).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(results.get(i).path("output").asText()).as("entry %d", i).isEqualTo(i + "\n");
        }
    }

    @Test
    void failingEntriesDoNotFailTheOthers() {
        Map<String, Object> timedOut = entry("sleep", "30");
        timedOut.put("timeout", 0.5);
        Map<String, Object> unknownFields = entry("echo", "extra");
        unknownFields.put("whatever", List.of(1, 2));
        JsonNode results = results(fx.postJson("/batch/run", Map.of("commands", List.of(
                entry("echo", "first"),
                entry("sh", "-c", "echo partial; exit 3"),        // non-zero exit: not an error
                entry("/nonexistent/program"),                    // cannot exec: fails on its own
                timedOut,                                         // killed by its timeout
                unknownFields,
                entry("echo", "last")))));
        assertThat(results).hasSize(6);
        assertThat(results.get(0).path("output").asText()).isEqualTo("first\n");
        assertThat(results.get(0).get("error").isNull()).isTrue();
        assertThat(results.get(1).path("output").asText()).isEqualTo("partial\n");
        assertThat(results.get(1).get("error").isNull()).as("non-zero exit is not an error: %s", results.get(1)).isTrue();
        assertThat(results.get(1).path("exit_code").asInt()).isEqualTo(3);
        assertThat(results.get(2).path("exit_code").asInt(0)).as("%s", results.get(2)).isNotZero();
        assertThat(results.get(3).path("exit_code").asInt()).as("%s", results.get(3)).isEqualTo(124);
        assertThat(results.get(4).path("output").asText()).isEqualTo("extra\n");
        assertThat(results.get(5).path("output").asText()).isEqualTo("last\n");
        assertThat(results.get(5).get("error").isNull()).isTrue();
    }

    /**
     * Documented behaviour: entries are validated before anything runs, so one invalid entry
     * (here an unknown profile) refuses the whole batch with 400, and no sandbox starts. (The
     * message names the bad value but not the entry's index: RequestFields prefixes its own
     * messages with "commands[i]." but not those of Profile.parse, EnvVar.parse or CommandSpec.)
     */
    @Test
    void anInvalidEntryRefusesTheWholeBatchWith400() {
        Map<String, Object> bad = entry("echo", "never");
        bad.put("profile", "no-such-profile");
        ServerFixture.Response r = fx.postJson("/batch/run", Map.of("commands", List.of(entry("echo", "ok"), bad)));
        JsonNode json = assertErrorEnvelope(r, 400);
        assertThat(json.path("error").asText()).contains("no-such-profile");
    }

    @Test
    void entriesMayUseProfileImageAndEnv() {
        Map<String, Object> restrictive = entry("ip", "-o", "link");
        restrictive.put("profile", "restrictive");
        Map<String, Object> withEnv = entry("sh", "-c", "echo $V");
        withEnv.put("env", List.of("V=value"));
        Map<String, Object> withImage = entry("python3", "-c", "print(3)");
        withImage.put("image", "host");
        JsonNode results = results(fx.postJson("/batch/run", Map.of("commands", List.of(restrictive, withEnv, withImage))));
        assertThat(results.get(0).path("output").asText().lines().toList()).as("%s", results.get(0))
                .singleElement().asString().contains(": lo:");
        assertThat(results.get(1).path("output").asText()).isEqualTo("value\n");
        assertThat(results.get(2).path("output").asText()).isEqualTo("3\n");
    }

    @Test
    void twentyCommandsRunInParallel() {
        Map<String, Object> one = entry("python3", "-c", "import time; time.sleep(1); print('done')");
        long start = System.nanoTime();
        JsonNode single = results(fx.postJson("/batch/run", Map.of("commands", List.of(one))));
        long singleMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(single.get(0).path("output").asText()).isEqualTo("done\n");

        List<Object> twenty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.add(one);
        }
        start = System.nanoTime();
        JsonNode results = results(fx.postJson("/batch/run", Map.of("commands", twenty)));
        long batchMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(results).hasSize(20);
        for (JsonNode result : results) {
            assertThat(result.path("output").asText()).isEqualTo("done\n");
            assertThat(result.get("error").isNull()).isTrue();
        }
        // sequential would be >= 20 s; allow generous room for a loaded machine but require real overlap
        assertThat(batchMillis).as("20 × 1 s in one batch (one alone took %d ms)", singleMillis)
                .isLessThan(20 * singleMillis / 2)
                .isLessThan(10_000);
    }
}
