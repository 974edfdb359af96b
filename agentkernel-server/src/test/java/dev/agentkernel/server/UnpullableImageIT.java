package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A daemon whose default image cannot be pulled (its registry refuses connections): every route
 * that starts a sandbox on it answers the same 502 {@code image_unavailable} naming the image
 * and the fixes, never a 500. Code sessions used to wrap it into a 500 "interpreter could not start".
 */
class UnpullableImageIT {

    private static final String IMAGE = "127.0.0.1:1/nowhere/none:1";

    private static Path dir;
    private static ServerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-unpullable-it-");
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0, c -> c,
                Map.of("AGENTKERNEL_DEFAULT_IMAGE", IMAGE));
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (dir != null) {
            dev.agentkernel.testing.TestDirectories.delete(dir);
        }
    }

    private static void isUnavailable(ServerFixture.Response r) {
        String error = ServerTestBase.assertErrorEnvelope(r, 502).path("error").asText();
        assertThat(error).as("%s", r).contains("cannot pull " + IMAGE).contains("agentkernel pull");
        assertThat(r.json().path("code").asText()).as("%s", r).isEqualTo("image_unavailable");
    }

    @Test
    void everyRouteThatStartsASandboxAnswers502NamingTheImage() {
        isUnavailable(fx.postJson("/run", Map.of("command", List.of("true"))));
        isUnavailable(fx.postJson("/sandboxes", Map.of("name", "nowhere")));
        isUnavailable(fx.postJson("/execute", Map.of("code", "print(1)")));
        isUnavailable(fx.post("/sessions", "{}"));
        assertThat(fx.get("/sessions").data().path("sessions")).as("no session is left").isEmpty();
        assertThat(fx.get("/sandboxes").data()).as("no sandbox is left").isEmpty();
    }
}
