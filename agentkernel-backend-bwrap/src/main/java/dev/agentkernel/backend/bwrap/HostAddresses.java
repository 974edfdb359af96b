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
 * on the first call after that. A listing fails now and then while sandboxes' veth pairs come and
 * go (an interface vanishes while it is read): it is tried again a few times, and the last good
 * listing stays in use meanwhile; with none at all, every address counts as the host's (the proxy
 * then connects nowhere) until a listing succeeds.
 */
final class HostAddresses {

    /** How long a listing is used. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** Listings tried before one counts as failed. */
    static final int ATTEMPTS = 5;

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
            Set<InetAddress> found = null;
            for (int attempt = 0; attempt < ATTEMPTS && found == null; attempt++) {
                try {
                    found = lister.list();
                } catch (SocketException | RuntimeException e) {
                    found = null; // an interface vanished while it was read: again
                }
            }
            if (found != null || current == null || current.addresses() == null) {
                current = new Listing(found, now);
                listing = current;
            } // else: the last good listing stays in use until a listing succeeds
        }
        return current.addresses() == null || current.addresses().contains(address);
    }

    private static Set<InetAddress> listInterfaces() throws SocketException {
        return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .collect(Collectors.toUnmodifiableSet());
    }
}
