package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /health} and {@code POST /run} against the real server and real sandboxes. */
class RunApiIT extends ServerTestBase {

    @Test
    void healthIsAnEnvelopeAndNeedsNoKey() {
        ServerFixture.Response r = fx.send(HttpRequest.newBuilder(fx.uri("/health")).GET().build()); // no key
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json.path("success").asBoolean(false)).as("%s", r).isTrue();
        assertThat(json.path("data").asText()).isEqualTo("ok");
        assertThat(json.path("status").asText()).isEqualTo("ok");

        ServerFixture.Response withKey = fx.get("/health");
        assertThat(withKey.status()).isEqualTo(200);
        assertThat(withKey.data().asText()).isEqualTo("ok");
    }

    @Test
    void runReturnsExactOutputAndExitCode() {
        ServerFixture.Response r = fx.run(List.of("python3", "-c", "print(1+1)"), Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode data = r.data();
        assertThat(data.path("output").asText()).as("%s", r).isEqualTo("2\n");
        assertThat(data.path("exit_code").isInt()).as("%s", r).isTrue();
        assertThat(data.path("exit_code").asInt()).isZero();
        assertThat(data.path("stdout").asText()).isEqualTo("2\n");
        assertThat(data.path("stderr").asText()).isEmpty();
    }

    @Test
    void base64OutputIsTheExactBytesAndTextStaysTheDefault() {
        List<String> binary = List.of("sh", "-c", "printf '\\000\\377\\200abc'; printf '\\376' >&2");
        ServerFixture.Response r = fx.run(binary, Map.of("output_encoding", "base64"));
        JsonNode data = r.data();
        assertThat(data.path("encoding").asText()).as("%s", r).isEqualTo("base64");
        assertThat(java.util.Base64.getDecoder().decode(data.path("stdout").asText()))
                .containsExactly(0x00, 0xff, 0x80, 'a', 'b', 'c');
        assertThat(java.util.Base64.getDecoder().decode(data.path("stderr").asText())).containsExactly(0xfe);
        assertThat(java.util.Base64.getDecoder().decode(data.path("output").asText())).hasSize(7);

        ServerFixture.Response text = fx.run(binary, Map.of());
        assertThat(text.data().has("encoding")).as("%s", text).isFalse();
        assertThat(text.data().path("stdout").asText()).as("invalid UTF-8 replaced").isEqualTo("\u0000\ufffd\ufffdabc");

        ServerFixture.Response batch = fx.post("/batch/run", "{\"commands\":[{\"command\":[\"printf\",\"\\\\377\"],"
                + "\"output_encoding\":\"base64\"},{\"command\":[\"printf\",\"x\"]}]}");
        JsonNode results = batch.data().path("results");
        assertThat(results.get(0).path("encoding").asText()).as("%s", batch).isEqualTo("base64");
        assertThat(results.get(0).path("stdout").asText()).isEqualTo("/w==");
        assertThat(results.get(1).has("encoding")).isFalse();
        assertThat(results.get(1).path("stdout").asText()).isEqualTo("x");

        ServerFixture.Response stream = fx.post("/run/stream", "{\"command\":[\"true\"],\"output_encoding\":\"base64\"}");
        assertThat(stream.status()).as("%s", stream).isEqualTo(400);
        assertThat(stream.json().path("error").asText()).contains("output_encoding base64 is not supported on /run/stream");
        ServerFixture.Response bad = fx.run(List.of("true"), Map.of("output_encoding", "hex"));
        assertThat(bad.status()).as("%s", bad).isEqualTo(400);
    }

    @Test
    void argumentsAreArgvNotAShellString() {
        ServerFixture.Response r = fx.run(List.of("printf", "%s|", "a b", "$HOME", "'q'", ";", "*"), Map.of());
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("a b|$HOME|'q'|;|*|");
    }

    @Test
    void stderrIsSeparateFromStdout() {
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo to-out; echo to-err >&2"), Map.of());
        JsonNode data = r.data();
        assertThat(data.path("stdout").asText()).as("%s", r).isEqualTo("to-out\n");
        assertThat(data.path("stderr").asText()).as("%s", r).isEqualTo("to-err\n");
        // "output" (what the document and the clients read) carries both
        assertThat(data.path("output").asText()).contains("to-out\n").contains("to-err\n").hasSize(14);
        assertThat(data.path("exit_code").asInt()).isZero();
    }

    @Test
    void nonZeroExitCodeIsReturnedNotAnError() {
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo partial; exit 7"), Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode data = r.data();
        assertThat(data.path("exit_code").asInt()).as("%s", r).isEqualTo(7);
        assertThat(data.path("output").asText()).isEqualTo("partial\n");
    }

    @Test
    void timeoutInSecondsEndsWith124() {
        long start = System.nanoTime();
        ServerFixture.Response r = fx.run(List.of("sleep", "30"), Map.of("timeout", 1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("exit_code").asInt()).as("%s", r).isEqualTo(124);
        assertThat(millis).as("wall time of a 1 s timeout (SIGTERM, 2 s grace)").isBetween(900L, 10_000L);

        ServerFixture.Response fractional = fx.run(List.of("sleep", "30"), Map.of("timeout", 0.5));
        assertThat(fractional.data().path("exit_code").asInt()).as("%s", fractional).isEqualTo(124);
    }

    @Test
    void unknownFieldsAreIgnored() {
        ServerFixture.Response r = fx.post("/run", """
                {"command": ["echo", "ok"], "bogus": {"nested": [1, 2]}, "sudo": true, "workdir_x": null,
                 "name": "whatever", "vcpus": 3}""");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("output").asText()).isEqualTo("ok\n");
    }

    @ParameterizedTest(name = "fast={0}")
    @ValueSource(booleans = {true, false})
    void fastTrueAndFalseBothRunFresh(boolean fast) {
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "echo $0; touch /tmp/marker-$$; ls /tmp | wc -l", "x"),
                Map.of("fast", fast));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        // a fresh /tmp each time: pooled sandboxes must not be reused without reset
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("x\n1\n");
    }

    @Test
    void restrictiveProfileHasNoNetwork() {
        ServerFixture.Response r = fx.run(List.of("ip", "-o", "link"), Map.of("profile", "restrictive"));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode data = r.data();
        assertThat(data.path("exit_code").asInt()).as("%s", r).isZero();
        List<String> links = data.path("stdout").asText().lines().toList();
        assertThat(links).as("network links in a restrictive sandbox: %s", r).hasSize(1);
        assertThat(links.getFirst()).contains(": lo:");

        // and the default (moderate) profile does have a link besides loopback, so the check above means something
        ServerFixture.Response moderate = fx.run(List.of("ip", "-o", "link"), Map.of());
        assertThat(moderate.data().path("stdout").asText().lines().count()).as("%s", moderate).isGreaterThan(1);
    }

    /** Prints "rw" or "ro": how the sandbox's root file system is mounted (commands run as an unprivileged user). */
    static final String ROOT_MOUNT_MODE = "awk '$5==\"/\" {o=$6} END {split(o, a, \",\"); print a[1]}' /proc/self/mountinfo";

    @Test
    void profileNamesAreAcceptedAndEnforced() {
        for (String profile : List.of("permissive", "moderate", "restrictive", "RESTRICTIVE")) {
            ServerFixture.Response r = fx.run(List.of("sh", "-c", ROOT_MOUNT_MODE),
                    Map.of("profile", profile));
            assertThat(r.status()).as("%s: %s", profile, r).isEqualTo(200);
            String expected = profile.equalsIgnoreCase("restrictive") ? "ro\n" : "rw\n";
            assertThat(r.data().path("output").asText()).as("root fs of %s: %s", profile, r).isEqualTo(expected);
        }
    }

    @Test
    void theHostImageIsTheHostsUsrWhenAskedFor() {
        ServerFixture.Response r = fx.run(List.of("python3", "-c", "print(1+1)"),
                Map.of("image", "host", "profile", "moderate", "fast", true));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("2\n");
    }

    @Test
    void envEntriesReachTheCommand() {
        ServerFixture.Response r = fx.run(List.of("sh", "-c", "printf '%s|%s' \"$FOO\" \"$BAR\""),
                Map.of("env", List.of("FOO=bar baz", "BAR=a=b")));
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("bar baz|a=b");
    }

    @Test
    void outputBytesPassUnchanged() {
        ServerFixture.Response r = fx.run(List.of("printf", "  lead\\ttab\\r\\nh\\303\\251 \\342\\202\\254 \\360\\237\\230\\200\\n\\n"),
                Map.of());
        assertThat(r.data().path("output").asText()).as("%s", r).isEqualTo("  lead\ttab\r\nhé € 😀\n\n");
    }

    @Test
    void largeOutputComesBackWhole() {
        ServerFixture.Response r = fx.run(List.of("python3", "-c", "import sys; sys.stdout.write('x' * 3_000_000)"),
                Map.of());
        String output = r.data().path("output").asText();
        assertThat(output).hasSize(3_000_000);
        char[] expected = new char[3_000_000];
        Arrays.fill(expected, 'x');
        assertThat(output).isEqualTo(new String(expected));
    }

    @Test
    void bothHeaderStylesAreAccepted() {
        ServerFixture.Response xApiKey = fx.send(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json")
                .header("X-API-Key", KEY).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"x\"]}")).build());
        assertThat(xApiKey.status()).as("%s", xApiKey).isEqualTo(200);
        assertThat(xApiKey.data().path("output").asText()).isEqualTo("x\n");

        ServerFixture.Response bearer = fx.send(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"y\"]}")).build());
        assertThat(bearer.status()).as("%s", bearer).isEqualTo(200);
        assertThat(bearer.data().path("output").asText()).isEqualTo("y\n");
    }
}
