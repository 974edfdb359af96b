package dev.agentkernel.egress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.model.NetworkPolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressRulesTest {

    private final EgressRules allowList = new EgressRules(new NetworkPolicy(List.of("api.example.com", "*.pypi.org"),
            List.of("bad.pypi.org"), List.of("198.51.100.0/24"), List.of("198.51.100.66", "203.0.113.0/24"), List.of(443),
            Map.of()));
    private final EgressRules denyOnly = new EgressRules(new NetworkPolicy(List.of(), List.of("*.evil.example"), List.of(),
            List.of("203.0.113.0/24"), List.of(), Map.of()));

    @Test
    void namesMatchExactlyOrBelowAWildcardAndDenyWins() {
        assertThat(allowList.name("api.example.com").allowed()).isTrue();
        assertThat(allowList.name("API.example.com.").allowed()).isTrue();
        assertThat(allowList.name("x.api.example.com")).isEqualTo(new Verdict.Refused("not in allow_domains"));
        assertThat(allowList.name("files.pypi.org").allowed()).isTrue();
        assertThat(allowList.name("a.b.pypi.org").allowed()).isTrue();
        assertThat(allowList.name("pypi.org").allowed()).isFalse();
        assertThat(allowList.name("evilpypi.org").allowed()).isFalse();
        assertThat(allowList.name("bad.pypi.org")).isEqualTo(new Verdict.Refused("deny_domains: bad.pypi.org"));
        assertThat(denyOnly.name("anything.example").allowed()).isTrue();
        assertThat(denyOnly.name("x.evil.example")).isEqualTo(new Verdict.Refused("deny_domains: *.evil.example"));
    }

    @Test
    void addressesNeedAnAllowedRangeUnlessNoAllowListAndDeniedRangesAlwaysLose() throws Exception {
        assertThat(allowList.address(InetAddress.getByName("198.51.100.7")).allowed()).isTrue();
        assertThat(allowList.address(InetAddress.getByName("198.51.100.66")))
                .isEqualTo(new Verdict.Refused("deny_addresses: 198.51.100.66/32"));
        assertThat(allowList.address(InetAddress.getByName("192.0.2.1")))
                .isEqualTo(new Verdict.Refused("not in allow_addresses"));
        assertThat(allowList.resolvedAddress(InetAddress.getByName("192.0.2.1")).allowed()).isTrue();
        assertThat(allowList.resolvedAddress(InetAddress.getByName("203.0.113.9")).allowed()).isFalse();
        assertThat(allowList.address(InetAddress.getByName("::1")).allowed()).isFalse();
        assertThat(denyOnly.address(InetAddress.getByName("192.0.2.1")).allowed()).isTrue();
        assertThat(denyOnly.address(InetAddress.getByName("203.0.113.1")).allowed()).isFalse();
    }

    @Test
    void portsAreAllWhenNoneAreListed() {
        assertThat(allowList.port(443).allowed()).isTrue();
        assertThat(allowList.port(22)).isEqualTo(new Verdict.Refused("port 22 not in ports [443]"));
        assertThat(denyOnly.port(22).allowed()).isTrue();
    }
}
