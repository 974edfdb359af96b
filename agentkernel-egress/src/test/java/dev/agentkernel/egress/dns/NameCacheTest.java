package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NameCacheTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong();

    private static ResolvedAddress address(String text, long ttl) throws UnknownHostException {
        return new ResolvedAddress((Inet4Address) InetAddress.getByName(text), ttl);
    }

    @Test
    void answersAreKeptForTheirSmallestTtlPerSandbox() throws UnknownHostException {
        NameCache cache = new NameCache(8, 8, now::get);
        List<ResolvedAddress> answer = List.of(address("192.0.2.1", 30), address("192.0.2.2", 10));
        cache.put("a", "x.test", answer);

        assertThat(cache.get("a", "x.test")).contains(answer);
        assertThat(cache.get("b", "x.test")).as("another sandbox's cache").isEmpty();
        now.set(9 * SECOND);
        assertThat(cache.get("a", "x.test")).isPresent();
        now.set(10 * SECOND);
        assertThat(cache.get("a", "x.test")).isEmpty();
    }

    @Test
    void zeroTtlAndEmptyAnswersAreNotKept() throws UnknownHostException {
        NameCache cache = new NameCache(8, 8, now::get);
        cache.put("a", "x.test", List.of(address("192.0.2.1", 0)));
        cache.put("a", "y.test", List.of());
        assertThat(cache.get("a", "x.test")).isEmpty();
        assertThat(cache.get("a", "y.test")).isEmpty();
    }

    @Test
    void theCachesAreBounded() throws UnknownHostException {
        NameCache cache = new NameCache(2, 2, now::get);
        List<ResolvedAddress> answer = List.of(address("192.0.2.1", 60));
        cache.put("a", "1.test", answer);
        cache.put("a", "2.test", answer);
        cache.put("a", "3.test", answer);
        assertThat(cache.get("a", "1.test")).isEmpty();
        assertThat(cache.get("a", "3.test")).isPresent();

        cache.put("b", "1.test", answer);
        cache.put("c", "1.test", answer);
        assertThat(cache.get("a", "3.test")).as("the least recently used sandbox went").isEmpty();
        assertThat(cache.get("c", "1.test")).isPresent();
    }
}
