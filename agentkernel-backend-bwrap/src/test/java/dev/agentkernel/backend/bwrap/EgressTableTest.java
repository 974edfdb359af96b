package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.egress.Refusal;
import dev.agentkernel.model.NetworkPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressTableTest {

    private static final NetworkPolicy ALLOW = new NetworkPolicy(List.of("api.example.com"), List.of(),
            List.of("198.51.100.0/24"), List.of("203.0.113.0/24"), List.of(443, 80), Map.of());

    @Test
    void theTableSendsDnsAndWebToTheGatewayAndRefusesTheRestWithALoggedReason() {
        String script = EgressTable.ruleset("akeg_1_2", "100.64.0.1", 5353, 8080, 8443);
        assertThat(script).startsWith("table inet akeg_1_2\ndelete table inet akeg_1_2\n");
        assertThat(script).contains("meta l4proto { tcp, udp } th dport 53 dnat ip to 100.64.0.1:5353")
                .contains("tcp dport 80 dnat ip to 100.64.0.1:8080")
                .contains("tcp dport 443 dnat ip to 100.64.0.1:8443")
                .contains("ip saddr . ip daddr @ranges return\n\t\ttcp dport 80");
        for (String rule : EgressTable.RULES.split(" ")) {
            assertThat(script).contains("log prefix \"akeg_1_2 " + rule + ": \"").contains("jump refuse_" + rule);
        }
        assertThat(script.indexOf("@denied")).as("deny before any allow").isLessThan(script.indexOf("@open return"));
    }

    @Test
    void aSandboxsElementsFollowItsPolicy() throws Exception {
        Inet4Address sandbox = (Inet4Address) InetAddress.getByName("100.64.1.2");
        String add = EgressTable.elements("akeg_1_2", "add", sandbox, ALLOW, true);
        assertThat(add.lines()).containsExactly(
                "add element inet akeg_1_2 sandboxes { 100.64.1.2 }",
                "add element inet akeg_1_2 proxied { 100.64.1.2 }",
                "add element inet akeg_1_2 ports { 100.64.1.2 . 80 }",
                "add element inet akeg_1_2 ports { 100.64.1.2 . 443 }",
                "add element inet akeg_1_2 ranges { 100.64.1.2 . 198.51.100.0/24 }",
                "add element inet akeg_1_2 denied { 100.64.1.2 . 203.0.113.0/24 }");
        NetworkPolicy denyOnly = new NetworkPolicy(List.of(), List.of("evil.example"), List.of(), List.of(), List.of(),
                Map.of());
        assertThat(EgressTable.elements("t", "delete", sandbox, denyOnly, false).lines()).containsExactly(
                "delete element inet t sandboxes { 100.64.1.2 }",
                "delete element inet t open { 100.64.1.2 }",
                "delete element inet t anyport { 100.64.1.2 }");
    }

    @Test
    void tableNamesTellTheirOwner() {
        assertThat(EgressTable.tableName(123, 4)).isEqualTo("akeg_123_4");
        assertThat(EgressTable.ownerOf("akeg_123_4")).contains(123L);
        assertThat(EgressTable.ownerOf("agentkernel")).isEmpty();
        assertThat(EgressTable.ownerOf("akeg_x_1")).isEmpty();
    }

    @Test
    void theScriptIsValidNftables() throws Exception {
        java.util.Optional<java.nio.file.Path> nft = HostTools.find("nft");
        org.junit.jupiter.api.Assumptions.assumeTrue(nft.isPresent() && HostContextRoot.isRoot(), "needs nft and root");
        Process check = new ProcessBuilder(nft.get().toString(), "-c", "-f", "-").redirectErrorStream(true).start();
        check.getOutputStream().write(EgressTable.ruleset("akeg_check_1", "100.64.0.1", 5353, 8080, 8443)
                .replace("delete table inet akeg_check_1\n", "").getBytes());
        check.getOutputStream().close();
        String out = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as(out).isZero();
    }

    @Test
    void kernelLogLinesOfTheTableBecomeRefusals() {
        String line = "4,1234,99000000,-;akeg_1_2 port: IN=akbr0 OUT=eth0 MAC=aa SRC=100.64.1.2 DST=198.51.100.7 LEN=60 "
                + "TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0";
        KernelLogRefusals.Parsed parsed = KernelLogRefusals.parse(line, "akeg_1_2", 0).orElseThrow();
        assertThat(parsed.source().getHostAddress()).isEqualTo("100.64.1.2");
        assertThat(parsed.refusal()).isEqualTo(new Refusal("", "198.51.100.7", 22, "tcp", "port not in ports"));
        assertThat(KernelLogRefusals.parse(line, "akeg_1_3", 0)).as("another table's").isEmpty();
        assertThat(KernelLogRefusals.parse(line, "akeg_1_2", 100_000_000)).as("older than the watcher").isEmpty();
        assertThat(KernelLogRefusals.parse("garbage", "akeg_1_2", 0)).isEmpty();
    }

    @Test
    void aSandboxsAddressIsTheSubnetPlusItsLaunchersPid() {
        assertThat(BridgeNetwork.addressOf(21448).getHostAddress()).isEqualTo("100.64.83.200");
        assertThat(BridgeNetwork.addressOf((1L << 22) - 2).getHostAddress()).as("like ak-launch: the top two shift")
                .isEqualTo("100.64.0.2");
    }

    /** Whether this process is root (nft -c needs CAP_NET_ADMIN). */
    private static final class HostContextRoot {
        static boolean isRoot() {
            return dev.agentkernel.core.host.HostContext.current().root();
        }
    }
}
