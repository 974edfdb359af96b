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
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        InetAddress elsewhere = InetAddress.getByName("198.51.100.7");
        HostAddresses host = new HostAddresses(() -> 0, () -> {
            if (broken.get()) {
                throw new SocketException("no netlink");
            }
            return Set.of();
        });
        assertThat(host.contains(elsewhere)).as("no listing at all: fail closed").isTrue();
        broken.set(false);
        assertThat(host.contains(elsewhere)).as("a failed listing is retried at the next call").isFalse();
    }

    @Test
    void aListingThatFailsNowAndThenIsTriedAgainAndTheLastGoodOneStays() throws Exception {
        AtomicInteger listings = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        InetAddress elsewhere = InetAddress.getByName("198.51.100.7");
        HostAddresses host = new HostAddresses(now::get, () -> {
            int n = listings.incrementAndGet();
            if (n == 1 || n >= 3) {
                throw new SocketException("No such device"); // a veth vanished while it was read
            }
            return Set.of();
        });
        assertThat(host.contains(elsewhere)).as("the second attempt of the first listing succeeds").isFalse();
        now.addAndGet(HostAddresses.MAX_AGE.toNanos() + 1);
        assertThat(host.contains(elsewhere)).as("every attempt fails now: the last good listing stays").isFalse();
        assertThat(listings.get()).isEqualTo(2 + HostAddresses.ATTEMPTS);
    }

    @Test
    void theRealListingHoldsLoopback() throws Exception {
        assertThat(new HostAddresses().contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    }
}
