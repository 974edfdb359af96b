package dev.agentkernel.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdTest {

    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Test
    void aWellFormedIncomingIdIsKept() {
        assertThat(RequestId.of("abc-123")).isEqualTo("abc-123");
        assertThat(RequestId.of("trace:01HZX.y_z+/=")).isEqualTo("trace:01HZX.y_z+/=");
        assertThat(RequestId.of("x".repeat(RequestId.MAX_LENGTH))).isEqualTo("x".repeat(RequestId.MAX_LENGTH));
    }

    @Test
    void aMissingOrMalformedIdIsReplacedByANewOne() {
        for (String bad : new String[] {null, "", "x".repeat(RequestId.MAX_LENGTH + 1), "has space", "line\nbreak",
                "quote\"", "tab\t", "é", "a,b", "a;b"}) {
            String id = RequestId.of(bad);
            assertThat(id).as("id for %s", bad).matches(UUID).isNotEqualTo(bad);
        }
        assertThat(RequestId.generate()).isNotEqualTo(RequestId.generate());
    }

    @Test
    void theCurrentIdIsBoundOnlyWhileTheRequestIsServed() throws Exception {
        assertThat(RequestId.current()).isEmpty();
        String[] inside = new String[2];
        ScopedValue.where(RequestId.CURRENT, "req-1").run(() -> {
            inside[0] = RequestId.current().orElse(null);
            Thread other = Thread.ofVirtual().start(() -> inside[1] = RequestId.current().orElse("none"));
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(inside[0]).isEqualTo("req-1");
        assertThat(inside[1]).as("work handed to another thread does not see it").isEqualTo("none");
        assertThat(RequestId.current()).isEmpty();
    }

    @Test
    void workCarriedWithinTheIdSeesItOnAnotherThreadLater() throws Exception {
        String[] seen = new String[2];
        Runnable[] carried = new Runnable[1];
        ScopedValue.where(RequestId.CURRENT, "req-2").run(() ->
                carried[0] = RequestId.within(RequestId.current(), () -> seen[0] = RequestId.current().orElse("none")));
        Thread later = Thread.ofVirtual().start(carried[0]);
        later.join();
        Thread.ofVirtual().start(RequestId.within(java.util.Optional.empty(),
                () -> seen[1] = RequestId.current().orElse("none"))).join();
        assertThat(seen).containsExactly("req-2", "none");
    }
}
