package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A connection whose driver output is pushed to it in arbitrary pieces (as the in-sandbox agent delivers it). */
class DriverConnectionPushTest {

    @Test
    void answersSplitAcrossPiecesAndSeveralInOnePieceAreMatchedByTheirIds() throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        DriverConnection c = new DriverConnection("python", sent, () -> OptionalInt.of(3), () -> { });
        CompletableFuture<DriverResult> first = CompletableFuture.supplyAsync(() -> c.execute("x = 1", Duration.ofSeconds(5)));
        byte[] answer = ("{\"id\":99,\"stdout\":\"stale\"}\nnot json\n{\"id\":1,\"stdout\":\"h\u00e9\",\"stderr\":\"\","
                + "\"success\":true,\"error\":null,\"execution_time_ms\":2}\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < answer.length; i += 7) { // pieces that split lines and a multi-byte character
            c.accept(answer, i, Math.min(7, answer.length - i));
        }
        DriverResult r = first.get();
        assertThat(r.id()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("h\u00e9");
        assertThat(r.success()).isTrue();
        assertThat(sent.toString(StandardCharsets.UTF_8)).startsWith("{").contains("\"id\":1").endsWith("\n");
    }

    @Test
    void theEndOfOutputFailsTheRunningRequestAndEveryLaterOne() {
        DriverConnection c = new DriverConnection("node", new ByteArrayOutputStream(), () -> OptionalInt.of(4), () -> { });
        c.endOfOutput();
        assertThatThrownBy(() -> c.execute("1")).isInstanceOf(InterpreterDiedException.class)
                .hasMessageContaining("the node interpreter died (exit status 4)");
        assertThat(c.isAlive()).isFalse();
        assertThatThrownBy(() -> c.execute("1")).isInstanceOf(InterpreterDiedException.class);
    }
}
