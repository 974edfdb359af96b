package dev.agentkernel.egress.dns;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The host's resolvers, asked for A records only, with fresh queries of our own (nothing of a
 * sandbox's query but the name goes upstream). Attempts go to the servers in turn, at least two,
 * and all of them fit in one time budget, so an upstream that does not answer costs at most that
 * budget. A truncated UDP answer is asked again over TCP (dnsjava's {@link SimpleResolver}).
 */
final class Upstream {

    private static final int MAX_CHAIN = 16;

    private final List<InetSocketAddress> servers;
    private final Duration budget;

    Upstream(List<InetSocketAddress> servers, Duration budget) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no upstream DNS server: give at least one IPv4 address "
                    + "(e.g. from /etc/resolv.conf or AGENTKERNEL_EGRESS_DNS=IP[:PORT],...)");
        }
        this.servers = List.copyOf(servers);
        this.budget = budget;
    }

    /** The A records of {@code name}, CNAME chain followed inside the answer. */
    UpstreamAnswer addresses(Name name) {
        Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
        int attempts = Math.max(2, servers.size());
        long deadline = System.nanoTime() + budget.toNanos();
        String reason = "no attempt";
        for (int i = 0; i < attempts; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            long slice = Math.max(1, left / (attempts - i));
            // one resolver per attempt: its timeout is this attempt's alone
            SimpleResolver server = new SimpleResolver(servers.get(i % servers.size()));
            server.setTimeout(Duration.ofNanos(slice));
            Message response;
            try {
                // the answer is read on dnsjava's selector thread (short, non-blocking work; a TCP retry
                // is only registered there), not on the common pool, which other work may be holding
                response = server.sendAsync(query, Runnable::run).toCompletableFuture()
                        .get(slice + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new UpstreamAnswer.Failed("interrupted");
            } catch (ExecutionException e) {
                reason = server.getAddress() + ": " + e.getCause();
                continue;
            } catch (TimeoutException e) {
                reason = server.getAddress() + ": no answer in " + TimeUnit.NANOSECONDS.toMillis(slice) + " ms";
                continue;
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new UpstreamAnswer.NoSuchName();
            }
            if (rcode != Rcode.NOERROR) {
                reason = server.getAddress() + ": " + Rcode.string(rcode);
                continue;
            }
            return new UpstreamAnswer.Addresses(chain(name, response.getSection(Section.ANSWER)));
        }
        return new UpstreamAnswer.Failed(reason);
    }

    /**
     * The A records of the name at the end of {@code name}'s CNAME chain in {@code answer}, each
     * with the smallest TTL of the chain and itself. Records of other names are ignored.
     */
    static List<ResolvedAddress> chain(Name name, List<Record> answer) {
        Name current = name;
        long ttl = Long.MAX_VALUE;
        Set<Name> seen = new HashSet<>();
        for (int hop = 0; hop < MAX_CHAIN && seen.add(current); hop++) {
            CNAMERecord next = null;
            for (Record record : answer) {
                if (record instanceof CNAMERecord cname && cname.getName().equals(current)) {
                    next = cname;
                    break;
                }
            }
            if (next == null) {
                break;
            }
            ttl = Math.min(ttl, next.getTTL());
            current = next.getTarget();
        }
        List<ResolvedAddress> addresses = new ArrayList<>();
        for (Record record : answer) {
            if (record instanceof ARecord a && a.getName().equals(current)
                    && a.getAddress() instanceof Inet4Address v4) {
                ResolvedAddress resolved = new ResolvedAddress(v4, Math.min(ttl, a.getTTL()));
                if (addresses.stream().noneMatch(r -> r.address().equals(v4))) {
                    addresses.add(resolved);
                }
            }
        }
        return addresses;
    }
}
