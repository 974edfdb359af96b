package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class UpstreamServersTest {

    private static final String RESOLV_CONF = """
            # managed by systemd-resolved
            nameserver 127.0.0.53
            ; a comment
            nameserver 192.0.2.53   # trailing
            nameserver 2001:db8::53
            nameserver 192.0.2.53
            nameserver 999.1.1.1
            search example.com
            options edns0 trust-ad
            #nameserver 198.51.100.1
            """;

    @Test
    void theIpv4NameserversOfResolvConfOnPort53LoopbackIncluded() {
        assertThat(EgressResolver.hostResolvers(RESOLV_CONF)).containsExactly(
                new InetSocketAddress("127.0.0.53", 53), new InetSocketAddress("192.0.2.53", 53));
    }

    @Test
    void loopbackServersAreSkippedWhenAsked() {
        assertThat(EgressResolver.hostResolvers(RESOLV_CONF, true)).containsExactly(new InetSocketAddress("192.0.2.53", 53));
        assertThat(EgressResolver.hostResolvers("")).isEmpty();
    }

    @Test
    void upstreamListsAreIpsWithOptionalPorts() {
        assertThat(EgressResolver.parseUpstream("192.0.2.53, 127.0.0.1:5353,192.0.2.53")).containsExactly(
                new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("127.0.0.1", 5353));
    }

    @Test
    void badUpstreamListsAreRefusedWithTheEntryAndTheForm() {
        assertThatThrownBy(() -> EgressResolver.parseUpstream(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IP[:PORT]");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("dns.example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'dns.example' is not an IPv4 address");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("192.0.2.1:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'192.0.2.1:0' has no port in 1..65535");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("192.0.2.1:99999")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no port");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("192.0.2.1:x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no port");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("192.0.2.1,")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'' is not an IPv4 address");
        assertThatThrownBy(() -> EgressResolver.parseUpstream("256.0.0.1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EgressResolver.parseUpstream("[::1]:53")).isInstanceOf(IllegalArgumentException.class);
    }
}
