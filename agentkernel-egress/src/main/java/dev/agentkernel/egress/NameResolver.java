package dev.agentkernel.egress;

import java.net.Inet4Address;
import java.net.UnknownHostException;
import java.util.List;

/** Resolves a name for a sandbox as its own DNS queries would be answered (extra hosts, then upstream). */
@FunctionalInterface
public interface NameResolver {

    /**
     * The IPv4 addresses of {@code name} for {@code tenant}, those its rules refuse left out.
     *
     * @throws UnknownHostException if the name has no (allowed) address
     */
    List<Inet4Address> resolve(Tenant tenant, String name) throws UnknownHostException;
}
