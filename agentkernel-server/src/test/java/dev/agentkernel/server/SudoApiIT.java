package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code sudo} on every route that runs a command: without it a command is the sandbox's
 * unprivileged user (uid and gid 1000, no capability), with it root of the sandbox (root of its
 * own user namespace, still an unprivileged host uid: it cannot change the host's kernel
 * settings); a {@code sudo} that is not a boolean is a 400 naming the field.
 */
class SudoApiIT extends SandboxTestBase {

    private static final List<String> WHO = List.of("sh", "-c", "id -u; id -g; grep CapEff /proc/self/status");

    @Test
    void runIsTheUnprivilegedUserUnlessItAsksForRoot() {
        ServerFixture.Response user = fx.run(WHO, Map.of());
        assertThat(user.status()).as("%s", user).isEqualTo(200);
        assertThat(user.data().path("stdout").asText()).as("%s", user).startsWith("1000\n1000\n")
                .contains("CapEff:\t0000000000000000");
        ServerFixture.Response root = fx.run(WHO, Map.of("sudo", true));
        assertThat(root.status()).as("%s", root).isEqualTo(200);
        assertThat(root.data().path("stdout").asText()).as("%s", root).startsWith("0\n0\n")
                .doesNotContain("CapEff:\t0000000000000000");
        ServerFixture.Response explicit = fx.run(WHO, Map.of("sudo", false));
        assertThat(explicit.data().path("stdout").asText()).as("%s", explicit).startsWith("1000\n");
    }

    @Test
    void rootOfTheSandboxStillCannotWriteTheHostsKernelSettings() {
        ServerFixture.Response root = fx.run(List.of("sh", "-c",
                "echo 7 > /proc/sys/kernel/printk_ratelimit && echo wrote; id -u"), Map.of("sudo", true));
        assertThat(root.data().path("stdout").asText()).as("%s", root).isEqualTo("0\n");
    }

    @Test
    void aSudoThatIsNotABooleanIsRefusedNamingTheField() {
        for (Object bad : List.of("yes", 1, List.of(true))) {
            ServerFixture.Response r = fx.run(List.of("true"), Map.of("sudo", bad));
            assertThat(r.status()).as("sudo %s: %s", bad, r).isEqualTo(400);
            assertThat(r.raw().body() == null ? "" : new String(r.raw().body(), StandardCharsets.UTF_8))
                    .as("sudo %s", bad).contains("sudo");
        }
        api.createOk("sudo-bad");
        ServerFixture.Response exec = api.exec("sudo-bad", List.of("true"), Map.of("sudo", "yes"));
        assertThat(exec.status()).as("%s", exec).isEqualTo(400);
    }

    @Test
    void batchEntriesChooseEachForItself() {
        ServerFixture.Response r = fx.postJson("/batch/run", Map.of("commands", List.of(
                Map.of("command", List.of("id", "-u")),
                Map.of("command", List.of("id", "-u"), "sudo", true))));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        String body = new String(r.raw().body(), StandardCharsets.UTF_8);
        JsonNode results = r.data().isArray() ? r.data() : r.data().path("results");
        assertThat(results.size()).as(body).isEqualTo(2);
        assertThat(results.get(0).path("stdout").asText()).as(body).isEqualTo("1000\n");
        assertThat(results.get(1).path("stdout").asText()).as(body).isEqualTo("0\n");
    }

    @Test
    void streamedRunAndExecAndPersistentExecHonourIt() throws Exception {
        assertThat(stream("/run/stream", Map.of("command", List.of("id", "-u"), "sudo", true))).contains("\"0\\n\"");
        assertThat(stream("/run/stream", Map.of("command", List.of("id", "-u")))).contains("\"1000\\n\"");
        api.createOk("sudo-box");
        assertThat(api.execOk("sudo-box", List.of("id", "-u")).path("output").asText()).isEqualTo("1000\n");
        assertThat(api.execOk("sudo-box", List.of("id", "-u"), Map.of("sudo", true)).path("output").asText())
                .isEqualTo("0\n");
        // what root made in /workspace is root's, what the user made is the user's: the same as in a container
        api.execOk("sudo-box", List.of("sh", "-c", "touch /workspace/by-root"), Map.of("sudo", true));
        assertThat(api.sh("sudo-box", "touch /workspace/by-user; stat -c '%u %n' /workspace/by-root /workspace/by-user"))
                .isEqualTo("0 /workspace/by-root\n1000 /workspace/by-user\n");
        assertThat(stream("/sandboxes/sudo-box/exec/stream", Map.of("command", List.of("id", "-u"), "sudo", true)))
                .contains("\"0\\n\"");
    }

    private static String stream(String path, Map<String, ?> body) throws Exception {
        HttpRequest request = fx.request(path).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ServerFixture.JSON.writeValueAsString(body))).build();
        HttpResponse<byte[]> r = fx.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as("%s: %s", path, text).isEqualTo(200);
        return text;
    }
}
