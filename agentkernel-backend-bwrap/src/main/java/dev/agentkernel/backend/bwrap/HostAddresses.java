package dev.agentkernel.backend.bwrap;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The addresses of the host's own interfaces, which the egress proxy never connects to for a
 * sandbox. Listing the interfaces takes 0.1 to 0.3 ms (more with one veth per running sandbox),
 * too much for every proxied connection, so the list is kept for {@link #MAX_AGE} and taken anew
 * on the first call after that. If it cannot be listed, every address counts as the host's (the
 * proxy then connects nowhere) until a listing succeeds.
 */
final class HostAddresses {

    /** How long a listing is used. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    /** One listing and when it was taken; {@code addresses} null if it failed. */
    private record Listing(Set<InetAddress> addresses, long takenAt) {
    }

    private final LongSupplier clock;
    private final Lister lister;
    private volatile Listing listing;

    /** Lists the interfaces' addresses. */
    @FunctionalInterface
    interface Lister {
        Set<InetAddress> list() throws SocketException;
    }

    HostAddresses() {
        this(System::nanoTime, HostAddresses::listInterfaces);
    }

    HostAddresses(LongSupplier clock, Lister lister) {
        this.clock = clock;
        this.lister = lister;
    }

    /** Whether {@code address} is one of the host's (or the host's addresses cannot be listed). */
    boolean contains(InetAddress address) {
        long now = clock.getAsLong();
        Listing current = listing;
        if (current == null || current.addresses() == null || now - current.takenAt() > MAX_AGE.toNanos()) {
            Set<InetAddress> found;
            try {
                found = lister.list();
            } catch (SocketException e) {
                found = null;
            }
            current = new Listing(found, now);
            listing = current;
        }
        return current.addresses() == null || current.addresses().contains(address);
    }

    private static Set<InetAddress> listInterfaces() throws SocketException {
        return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .collect(Collectors.toUnmodifiableSet());
    }
}
