package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.model.Termination;
import org.junit.jupiter.api.Test;

class EgressCheckTest {

    private static final Termination EXITED = new Termination.Exited(0);
    private static final String WORKS = """
            dns_allowed OK 192.0.2.10 (0.004 s)
            dns_refused FAIL gaierror [Errno -2] Name or service not known (0.003 s)
            http_proxy OK HTTP/1.1 403 Forbidden | AgentKernel egress policy: refused.agentkernel.test:80 refused (not in allow_domains) (0.005 s)
            tls_proxy OK HTTP/1.1 403 Forbidden | AgentKernel egress policy: refused.agentkernel.test:443 refused (not in allow_domains) (0.030 s)
            """;

    @Test
    void allStepsAsExpectedPass() {
        SetupCheck check = EgressCheck.verdict(EXITED, WORKS, "", true);
        assertThat(check.passed()).as(check.toString()).isTrue();
        assertThat(check.name()).isEqualTo("egress control");
        assertThat(check.detail()).startsWith("ok: ").contains("refused another in 3 ms");
    }

    @Test
    void anUnreadableKernelLogFailsWithItsFix() {
        SetupCheck check = EgressCheck.verdict(EXITED, WORKS, "", false);
        assertThat(check.passed()).isFalse();
        assertThat(check.detail()).contains("/dev/kmsg is not readable", "not audited");
        assertThat(check.fix()).hasValueSatisfying(f -> assertThat(f).contains("root", "/dev/kmsg"));
    }

    @Test
    void anAllowedNameNotAnsweredByOurResolverFails() {
        String out = WORKS.replace("dns_allowed OK 192.0.2.10 (0.004 s)",
                "dns_allowed FAIL gaierror [Errno -3] Temporary failure in name resolution (5.010 s)");
        SetupCheck check = EgressCheck.verdict(EXITED, out, "", true);
        assertThat(check.passed()).isFalse();
        assertThat(check.detail()).contains("did not come from AgentKernel's resolver", "Temporary failure");
        assertThat(check.fix()).hasValueSatisfying(f -> assertThat(f).contains("nft list ruleset"));
    }

    @Test
    void aRefusedNameThatResolvesOrFailsSlowlyFails() {
        SetupCheck resolved = EgressCheck.verdict(EXITED, WORKS.replace(
                "dns_refused FAIL gaierror [Errno -2] Name or service not known (0.003 s)",
                "dns_refused OK resolved to 203.0.113.9 (0.003 s)"), "", true);
        assertThat(resolved.passed()).isFalse();
        assertThat(resolved.detail()).contains("a name outside the sandbox's policy resolved", "203.0.113.9");
        SetupCheck slow = EgressCheck.verdict(EXITED, WORKS.replace("(0.003 s)", "(5.003 s)"), "", true);
        assertThat(slow.passed()).isFalse();
        assertThat(slow.detail()).contains("took 5.0 s to fail");
    }

    @Test
    void aProxyPortThatDoesNotRefuseWithA403Fails() {
        String out = WORKS.replaceAll("tls_proxy OK .*", "tls_proxy FAIL ConnectionRefusedError [Errno 111] Connection refused (0.001 s)");
        SetupCheck check = EgressCheck.verdict(EXITED, out, "", true);
        assertThat(check.passed()).isFalse();
        assertThat(check.detail()).contains("TLS (port 443)", "Connection refused");
        String ok200 = WORKS.replaceAll("http_proxy OK .*", "http_proxy OK HTTP/1.1 200 OK | hello (0.002 s)");
        SetupCheck reached = EgressCheck.verdict(EXITED, ok200, "", true);
        assertThat(reached.passed()).isFalse();
        assertThat(reached.detail()).contains("HTTP (port 80)", "200 OK");
    }

    @Test
    void aProbeThatDidNotRunSaysWhy() {
        SetupCheck noPython = EgressCheck.verdict(new Termination.Exited(127), "",
                "bwrap: execvp python3: No such file or directory", true);
        assertThat(noPython.passed()).isFalse();
        assertThat(noPython.detail()).contains("python3 is not installed");
        SetupCheck crashed = EgressCheck.verdict(new Termination.Exited(1), "dns_allowed OK 192.0.2.10 (0.004 s)\n",
                "Traceback: boom", true);
        assertThat(crashed.passed()).isFalse();
        assertThat(crashed.detail()).contains("the probe in a sandbox under a policy ended", "boom");
    }
}
