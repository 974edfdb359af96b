package dev.agentkernel.egress.dns;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * One address a name resolved to, with the time the answer may be kept.
 *
 * @param address    the address
 * @param ttlSeconds its time to live in seconds (the smallest of the records that led to it)
 */
record ResolvedAddress(Inet4Address address, long ttlSeconds) {

    ResolvedAddress {
        Objects.requireNonNull(address, "address");
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("ttl " + ttlSeconds + " < 0");
        }
    }
}
