package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BridgeRulesTest {

    private static final int NETWORK = 100 << 24 | 64 << 16;
    private static final String ROUTE_HEADER =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    private static Inet4Address v4(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    @Test
    void rulesetReplacesItsTableAtomicallyAndFencesTheHostOff() throws Exception {
        String rules = BridgeRules.ruleset("akbr0", "100.64.0.0/10", v4("192.0.2.53"));

        assertThat(rules).startsWith("table inet agentkernel\ndelete table inet agentkernel\ntable inet agentkernel {");
        assertThat(rules).contains("iifname \"akbr0\" ip daddr 10.0.2.3 udp dport 53 dnat ip to 192.0.2.53")
                .contains("iifname \"akbr0\" ip daddr 10.0.2.3 tcp dport 53 dnat ip to 192.0.2.53");
        // nothing from the bridge to the host itself, whatever the address family
        assertThat(rules).containsPattern("hook input[^}]*\n\t\tiifname \"akbr0\" reject");
        // no sandbox to sandbox, no IPv6 forwarding, no loopback or sandbox range, nothing unsolicited in
        assertThat(rules).contains("iifname \"akbr0\" oifname \"akbr0\" reject")
                .contains("iifname \"akbr0\" meta nfproto ipv6 drop")
                .contains("iifname \"akbr0\" ip daddr { 100.64.0.0/10, 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4")
                .contains("oifname \"akbr0\" ct state established,related accept\n\t\toifname \"akbr0\" drop");
        assertThat(rules).contains("ip saddr 100.64.0.0/10 oifname != \"akbr0\" masquerade");
        assertThat(rules.chars().filter(c -> c == '{').count()).isEqualTo(rules.chars().filter(c -> c == '}').count());
    }

    @Test
    void resolverSkipsLoopbackIpv6AndTheHostsOwnAddresses() throws Exception {
        String stub = "# systemd-resolved\nnameserver 127.0.0.53\noptions edns0 trust-ad\n";
        String upstream = "nameserver fd00::1\nnameserver 192.0.2.2\nnameserver 198.51.100.7\n";
        Set<InetAddress> host = Set.of(v4("192.0.2.2"));

        assertThat(BridgeRules.resolver(List.of(stub, upstream), host)).contains(v4("198.51.100.7"));
        assertThat(BridgeRules.resolver(List.of("nameserver 10.255.255.53\n"), host)).contains(v4("10.255.255.53"));
        assertThat(BridgeRules.resolver(List.of(stub), host)).isEmpty();
        assertThat(BridgeRules.resolver(List.of("nameserver 0.0.0.0\nnameserver example.org\n"), host)).isEmpty();
    }

    @Test
    void subnetIsFreeUnlessAnotherInterfaceRoutesPartOfIt() {
        // default via 192.0.2.1 on eth0, 192.0.2.0/24 on eth0, our own 100.64.0.0/10 on akbr0
        String routes = ROUTE_HEADER
                + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                + "akbr0\t00004064\t00000000\t0001\t0\t0\t0\t0000C0FF\t0\t0\t0\n";
        assertThat(BridgeRules.overlappingRoute(routes, "akbr0", NETWORK, 10)).isEmpty();

        String tailscale = routes + "tailscale0\t00006464\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        assertThat(BridgeRules.overlappingRoute(tailscale, "akbr0", NETWORK, 10))
                .isEqualTo(Optional.of("100.100.0.0/16 on tailscale0"));

        String wide = routes + "eth1\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
                + "eth2\t00000064\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n";
        assertThat(BridgeRules.overlappingRoute(wide, "akbr0", NETWORK, 10)).contains("100.0.0.0/8 on eth2");
    }
}
