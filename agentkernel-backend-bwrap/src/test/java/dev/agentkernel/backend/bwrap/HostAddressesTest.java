package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HostAddressesTest {

    @Test
    void theListingIsKeptForASecondThenTakenAnew() throws Exception {
        AtomicLong clock = new AtomicLong();
        AtomicInteger listings = new AtomicInteger();
        InetAddress own = InetAddress.getByName("192.0.2.1");
        InetAddress added = InetAddress.getByName("192.0.2.2");
        HostAddresses host = new HostAddresses(clock::get, () -> listings.incrementAndGet() == 1 ? Set.of(own)
                : Set.of(own, added));
        assertThat(host.contains(own)).isTrue();
        assertThat(host.contains(added)).isFalse();
        clock.set(HostAddresses.MAX_AGE.toNanos());
        assertThat(host.contains(added)).as("still the first listing").isFalse();
        assertThat(listings).hasValue(1);
        clock.set(HostAddresses.MAX_AGE.toNanos() + 1);
        assertThat(host.contains(added)).as("listed anew").isTrue();
        assertThat(listings).hasValue(2);
    }

    @Test
    void whenTheInterfacesCannotBeListedEveryAddressCountsAsTheHostsUntilTheyCan() throws Exception {
        AtomicInteger listings = new AtomicInteger();
        InetAddress elsewhere = InetAddress.getByName("198.51.100.7");
        HostAddresses host = new HostAddresses(() -> 0, () -> {
            if (listings.incrementAndGet() == 1) {
                throw new SocketException("no netlink");
            }
            return Set.of();
        });
        assertThat(host.contains(elsewhere)).isTrue();
        assertThat(host.contains(elsewhere)).as("a failed listing is retried at once").isFalse();
    }

    @Test
    void theRealListingHoldsLoopback() throws Exception {
        assertThat(new HostAddresses().contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    }
}
