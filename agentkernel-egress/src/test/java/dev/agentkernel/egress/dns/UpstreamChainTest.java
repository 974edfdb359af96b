package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

class UpstreamChainTest {

    private static Name name(String text) {
        return Name.fromConstantString(text + ".");
    }

    private static ARecord a(String owner, String address, long ttl) throws UnknownHostException {
        return new ARecord(name(owner), DClass.IN, ttl, InetAddress.getByName(address));
    }

    private static CNAMERecord cname(String owner, String target, long ttl) {
        return new CNAMERecord(name(owner), DClass.IN, ttl, name(target));
    }

    private static List<String> addresses(List<ResolvedAddress> resolved) {
        return resolved.stream().map(r -> r.address().getHostAddress() + "/" + r.ttlSeconds()).toList();
    }

    @Test
    void aChainIsFollowedToItsAddressesWithTheSmallestTtl() throws UnknownHostException {
        List<Record> answer = List.of(a("edge.cdn.test", "192.0.2.1", 300), cname("www.x.test", "x.cdn.test", 600),
                cname("x.cdn.test", "edge.cdn.test", 60), a("edge.cdn.test", "192.0.2.2", 30),
                a("other.test", "192.0.2.9", 300), a("edge.cdn.test", "192.0.2.1", 300));

        assertThat(addresses(Upstream.chain(name("www.x.test"), answer)))
                .containsExactly("192.0.2.1/60", "192.0.2.2/30");
    }

    @Test
    void recordsOfOtherNamesAndLoopsGiveNothing() throws UnknownHostException {
        assertThat(Upstream.chain(name("x.test"), List.of(a("y.test", "192.0.2.1", 60)))).isEmpty();
        assertThat(Upstream.chain(name("x.test"), List.of(cname("x.test", "y.test", 60), cname("y.test", "x.test", 60),
                a("z.test", "192.0.2.1", 60)))).isEmpty();
        assertThat(addresses(Upstream.chain(name("x.test"), List.of(a("X.Test", "192.0.2.1", 60)))))
                .as("names compare without case").containsExactly("192.0.2.1/60");
    }

    @Test
    void noUpstreamIsRefusedWithHowToGiveOne() {
        assertThatThrownBy(() -> new Upstream(List.of(), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AGENTKERNEL_EGRESS_DNS");
    }
}
