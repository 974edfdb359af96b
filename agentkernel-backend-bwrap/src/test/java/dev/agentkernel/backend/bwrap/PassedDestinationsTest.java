package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PassedDestinationsTest {

    private static final long SECOND = 1_000_000_000L;

    private static InetAddress ip(String dotted) throws Exception {
        return InetAddress.getByName(dotted);
    }

    @Test
    void aPassIsAddedOnceAndAgainOnlyWhenLessThanHalfTheNewTtlIsLeft() throws Exception {
        PassedDestinations passes = new PassedDestinations();
        InetAddress sandbox = ip("100.64.0.5");
        InetAddress web = ip("198.51.100.7");
        Duration ttl = Duration.ofSeconds(60);
        assertThat(passes.renew(sandbox, web, ttl, 0)).as("first answer").isTrue();
        assertThat(passes.renew(sandbox, web, ttl, 10 * SECOND)).as("50 s left of 60").isFalse();
        assertThat(passes.renew(sandbox, web, ttl, 30 * SECOND)).as("30 s left: half").isFalse();
        assertThat(passes.renew(sandbox, web, ttl, 31 * SECOND)).as("29 s left").isTrue();
        assertThat(passes.renew(sandbox, web, ttl, 40 * SECOND)).as("renewed at 31 s, until 91 s").isFalse();
        assertThat(passes.renew(sandbox, web, Duration.ofHours(1), 40 * SECOND)).as("a longer TTL than is left")
                .isTrue();
    }

    @Test
    void passesArePerSandboxAndDestinationAndEndWithTheSandbox() throws Exception {
        PassedDestinations passes = new PassedDestinations();
        InetAddress one = ip("100.64.0.5");
        InetAddress two = ip("100.64.0.6");
        InetAddress web = ip("198.51.100.7");
        InetAddress other = ip("198.51.100.8");
        Duration ttl = Duration.ofSeconds(300);
        assertThat(passes.renew(one, web, ttl, 0)).isTrue();
        assertThat(passes.renew(two, web, ttl, 0)).as("another sandbox").isTrue();
        assertThat(passes.renew(one, other, ttl, 0)).as("another destination").isTrue();
        assertThat(passes.release(one)).containsExactlyInAnyOrder(web, other);
        assertThat(passes.release(one)).isEmpty();
        assertThat(passes.renew(one, web, ttl, SECOND)).as("a new sandbox at the same address").isTrue();
        assertThat(passes.renew(two, web, ttl, SECOND)).isFalse();
    }

    @Test
    void aPassThatCouldNotBeAddedIsForgotten() throws Exception {
        PassedDestinations passes = new PassedDestinations();
        InetAddress sandbox = ip("100.64.0.5");
        InetAddress web = ip("198.51.100.7");
        assertThat(passes.renew(sandbox, web, Duration.ofSeconds(60), 0)).isTrue();
        passes.forget(sandbox, web);
        assertThat(passes.renew(sandbox, web, Duration.ofSeconds(60), 0)).isTrue();
    }
}
