package dev.agentkernel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LifetimeTest {

    @Test
    void readsUnitsAndSums() {
        assertThat(Lifetime.parse("90s", "ttl")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Lifetime.parse("30m", "ttl")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Lifetime.parse(" 2H ", "ttl")).isEqualTo(Duration.ofHours(2));
        assertThat(Lifetime.parse("1d", "ttl")).isEqualTo(Duration.ofDays(1));
        assertThat(Lifetime.parse("1h30m", "ttl")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Lifetime.parse("120", "ttl")).isEqualTo(Duration.ofSeconds(120));
        assertThat(Lifetime.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Lifetime.format(Duration.ofSeconds(86_401))).isEqualTo("1d1s");
    }

    @Test
    void refusesWhatIsNotALengthOfTime() {
        for (String bad : new String[] {"", "0s", "-1h", "1w", "h", "1.5h", "366d", "1h 30m", "9999999999s"}) {
            assertThatThrownBy(() -> Lifetime.parse(bad, "by")).as(bad).isInstanceOf(BadRequestException.class)
                    .hasMessageStartingWith("by must be");
        }
        assertThatThrownBy(() -> Lifetime.parse(null, "ttl")).isInstanceOf(BadRequestException.class);
    }

    @Test
    void requestsValidateTheirFields() {
        assertThatThrownBy(() -> new ExtendRequest("soon")).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> new ExtendRequest(null)).hasMessageContaining("by is required");
        assertThat(new ExtendRequest("1h").duration()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> new CreateSandboxRequest("a", null, null, null, null, null, null, null, null, null, "x"))
                .hasMessageStartingWith("ttl must be");
        assertThat(new CreateSandboxRequest("a", null, null, null, null, null, null, null, null, null, "2h").timeToLive())
                .contains(Duration.ofHours(2));
    }

    @Test
    void filesResolveUnderTheWorkspaceAndRefuseDuplicates() {
        var files = new WriteFilesRequest(java.util.Map.of("a/b.txt", "x"), null).contents();
        assertThat(files).containsOnlyKeys("/workspace/a/b.txt");
        assertThat(new String(files.get("/workspace/a/b.txt"))).isEqualTo("x");
        var dup = new java.util.LinkedHashMap<String, String>();
        dup.put("x", "1");
        dup.put("/workspace/x", "2");
        assertThatThrownBy(() -> new WriteFilesRequest(dup, null).contents()).hasMessageContaining("twice");
        assertThatThrownBy(() -> new WriteFilesRequest(java.util.Map.of(), null)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new WriteFilesRequest(java.util.Map.of("x", "!!"), "base64").contents())
                .hasMessageContaining("not valid base64");
    }
}
