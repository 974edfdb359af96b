package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkPolicyTest {

    private static NetworkPolicy domains(List<String> allow, List<String> deny) {
        return new NetworkPolicy(allow, deny, List.of(), List.of(), List.of(), Map.of());
    }

    @Test
    void normalisesNamesAndRanges() {
        NetworkPolicy p = new NetworkPolicy(List.of("API.Example.COM.", "*.pypi.org"), List.of(),
                List.of("198.51.100.77/24"), List.of("203.0.113.7"), List.of(443, 80, 443), Map.of("DB.internal", "198.51.100.7"));
        assertThat(p.allowDomains()).containsExactly("api.example.com", "*.pypi.org");
        assertThat(p.allowAddresses()).containsExactly("198.51.100.0/24");
        assertThat(p.denyAddresses()).containsExactly("203.0.113.7/32");
        assertThat(p.ports()).containsExactly(80, 443);
        assertThat(p.extraHosts()).containsEntry("db.internal", "198.51.100.7");
        assertThat(p.restricts()).isTrue();
        assertThat(p.allowListOnly()).isTrue();
    }

    @Test
    void noneRestrictsNothingAndDenyOnlyIsNotAnAllowList() {
        assertThat(NetworkPolicy.NONE.restricts()).isFalse();
        NetworkPolicy deny = domains(List.of(), List.of("evil.example"));
        assertThat(deny.restricts()).isTrue();
        assertThat(deny.allowListOnly()).isFalse();
    }

    @Test
    void refusesWhatIsNotADomainAndSaysWhich() {
        assertThatThrownBy(() -> domains(List.of("exa mple.com"), List.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("allow_domains").hasMessageContaining("exa mple.com");
        assertThatThrownBy(() -> domains(List.of("a.*.example.com"), List.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'*'");
        assertThatThrownBy(() -> domains(List.of(), List.of("10.0.0.1")))
                .hasMessageContaining("allow_addresses/deny_addresses");
        assertThatThrownBy(() -> domains(List.of("x".repeat(64) + ".com"), List.of()))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> domains(List.of(""), List.of())).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void refusesBadRangesPortsAndHosts() {
        assertThatThrownBy(() -> new NetworkPolicy(List.of(), List.of(), List.of("10.0.0.0/33"), List.of(), List.of(), Map.of()))
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> new NetworkPolicy(List.of(), List.of(), List.of("fc00::/7"), List.of(), List.of(), Map.of()))
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> new NetworkPolicy(List.of(), List.of(), List.of(), List.of("300.1.1.1"), List.of(), Map.of()))
                .hasMessageContaining("deny_addresses");
        assertThatThrownBy(() -> new NetworkPolicy(List.of(), List.of(), List.of(), List.of(), List.of(0), Map.of()))
                .hasMessageContaining("ports");
        assertThatThrownBy(() -> new NetworkPolicy(List.of(), List.of(), List.of(), List.of(), List.of(), Map.of("db", "nope")))
                .hasMessageContaining("extra_hosts");
        assertThatThrownBy(() -> NetworkPolicy.parseExtraHost("db.internal")).hasMessageContaining("NAME:IP");
        assertThat(NetworkPolicy.parseExtraHost("db.internal:198.51.100.7").getValue()).isEqualTo("198.51.100.7");
    }

    @Test
    void mergeKeepsBothSides() {
        NetworkPolicy merged = domains(List.of("a.example"), List.of()).merge(domains(List.of("b.example"), List.of("c.example")));
        assertThat(merged.allowDomains()).containsExactly("a.example", "b.example");
        assertThat(merged.denyDomains()).containsExactly("c.example");
    }
}
