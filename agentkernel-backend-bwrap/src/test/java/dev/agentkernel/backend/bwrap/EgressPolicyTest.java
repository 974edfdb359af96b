package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.BackendUnavailableException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {

    private static final AddressRange SUBNET = AddressRange.parse(BridgeNetwork.SUBNET);

    @Test
    void rangesParseMaskAndCompare() {
        assertThat(AddressRange.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
        assertThat(AddressRange.parse("169.254.169.254")).hasToString("169.254.169.254/32");
        assertThat(AddressRange.parse("fd12:3456::1/16")).hasToString("fd12:0:0:0:0:0:0:0/16");
        assertThat(AddressRange.parse("10.0.0.0/8").contains(AddressRange.parse("10.1.2.0/24"))).isTrue();
        assertThat(AddressRange.parse("10.1.2.0/24").contains(AddressRange.parse("10.0.0.0/8"))).isFalse();
        assertThat(AddressRange.parse("10.0.0.0/8").contains(AddressRange.parse("::/0"))).isFalse();
        for (String bad : List.of("example.org", "10.0.0.0/33", "10.0.0.0/x", "", "fc00::/129", "10.0.0.0/-1")) {
            assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void byDefaultEveryPrivateRangeIsDeniedAndNothingAllowed() {
        EgressPolicy policy = EgressPolicy.fromEnvironment(Map.of());
        assertThat(policy.effectiveDenied()).extracting(AddressRange::toString)
                .contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
                        "224.0.0.0/4", "fc00:0:0:0:0:0:0:0/7", "fe80:0:0:0:0:0:0:0/10", "ff00:0:0:0:0:0:0:0/8");
        assertThat(policy.effectiveAllowed()).isEmpty();
        // the bridge: prohibit routes for the IPv4 ranges except the sandboxes' own subnet
        assertThat(String.join(" ", policy.routeArguments(SUBNET)))
                .contains("--prohibit 10.0.0.0/8", "--prohibit 169.254.0.0/16", "--prohibit 192.168.0.0/16")
                .doesNotContain("100.64.0.0/10", "--route", "fc00");
    }

    @Test
    void allowedRangesCarveHolesOrReplaceWhatTheyCover() {
        EgressPolicy policy = EgressPolicy.fromEnvironment(Map.of(EgressPolicy.ALLOW_ENV,
                " 10.1.2.0/24, 192.168.0.0/16 198.51.100.0/24,100.64.1.0/24"));
        // a hole in 10/8; 192.168/16 no longer denied at all; a public range changes nothing
        assertThat(policy.effectiveDenied()).extracting(AddressRange::toString)
                .contains("10.0.0.0/8").doesNotContain("192.168.0.0/16");
        assertThat(policy.effectiveAllowed()).extracting(AddressRange::toString)
                .containsExactly("10.1.2.0/24", "100.64.1.0/24");
        assertThat(String.join(" ", policy.routeArguments(SUBNET)))
                .contains("--prohibit 10.0.0.0/8", "--route 10.1.2.0/24")
                .doesNotContain("192.168.0.0/16", "198.51.100", "100.64.1.0"); // the bridge's subnet stays apart
        List<String> guard = policy.guardArguments(List.of(InetAddress.getLoopbackAddress()));
        assertThat(String.join(" ", guard)).contains("--deny 10.0.0.0/8", "--allow 10.1.2.0/24",
                "--allow 100.64.1.0/24", "--dns 127.0.0.1").doesNotContain("192.168.0.0/16");
    }

    @Test
    void aMalformedAllowListSaysHowToWriteIt() {
        assertThatThrownBy(() -> EgressPolicy.fromEnvironment(Map.of(EgressPolicy.ALLOW_ENV, "10.0.0.0/8,intranet")))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining(EgressPolicy.ALLOW_ENV).hasMessageContaining("'intranet'")
                .hasMessageContaining("10.1.2.0/24");
    }

    @Test
    void nameserversAreTheLiteralAddresses() {
        String conf = "# comment\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nnameserver resolver.example\n"
                + "search example\nnameserver 10.255.255.53\n";
        assertThat(EgressPolicy.nameservers(conf)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.53", "fe80:0:0:0:0:0:0:1", "10.255.255.53");
    }
}
