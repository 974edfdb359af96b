package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.Tenant;
import dev.agentkernel.egress.Verdict;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The one path from an allowed name to the addresses a sandbox may be given: its policy's extra
 * hosts first, then upstream; then every address its rules refuse is left out. Both the DNS
 * answers and {@link EgressResolver#resolve} go through here.
 */
final class AddressLookup {

    /** The TTL of answers from a policy's extra hosts, in seconds. */
    static final long EXTRA_HOST_TTL = 60;

    private final Upstream upstream;
    private final NameCache cache;

    AddressLookup(Upstream upstream, NameCache cache) {
        this.upstream = upstream;
        this.cache = cache;
    }

    /**
     * The addresses of {@code name} (well-formed, allowed by the tenant's rules) for {@code tenant}.
     *
     * @param cached whether upstream's answers may come from (and go to) the tenant's cache; the
     *               rules are applied to cached answers anew
     */
    LookupResult lookup(Tenant tenant, String name, boolean cached) {
        List<ResolvedAddress> found;
        String extra = tenant.rules().policy().extraHosts().get(name);
        Optional<List<ResolvedAddress>> hit = cached && extra == null ? cache.get(tenant.sandbox(), name)
                : Optional.empty();
        if (extra != null) {
            found = List.of(new ResolvedAddress(literal(extra), EXTRA_HOST_TTL));
        } else if (hit.isPresent()) {
            found = hit.get();
        } else {
            Name query;
            try {
                query = Name.fromString(name, Name.root);
            } catch (TextParseException e) {
                return new LookupResult.Failed("not a name: " + e.getMessage());
            }
            switch (upstream.addresses(query)) {
                case UpstreamAnswer.Addresses a -> {
                    found = a.addresses();
                    if (cached) {
                        cache.put(tenant.sandbox(), name, found);
                    }
                }
                case UpstreamAnswer.NoSuchName n -> {
                    return new LookupResult.NoSuchName();
                }
                case UpstreamAnswer.Failed f -> {
                    return new LookupResult.Failed(f.reason());
                }
            }
        }
        List<ResolvedAddress> kept = new ArrayList<>();
        List<LookupResult.Dropped> dropped = new ArrayList<>();
        for (ResolvedAddress address : found) {
            switch (tenant.rules().resolvedAddress(address.address())) {
                case Verdict.Allowed allowed -> kept.add(address);
                case Verdict.Refused refused -> dropped.add(new LookupResult.Dropped(address.address(), refused.rule()));
            }
        }
        return new LookupResult.Found(kept, dropped);
    }

    private static Inet4Address literal(String dotted) {
        try {
            // a literal that NetworkPolicy validated: no lookup happens
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("extra host address " + dotted + " is not an IPv4 literal", e);
        }
    }
}
