package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalReporterTest {

    private final List<Refusal> sent = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final RefusalReporter reporter = new RefusalReporter(new EgressEvents() {
        @Override
        public void refused(Refusal refusal) {
            sent.add(refusal);
        }

        @Override
        public void placeholderWithheld(String sandbox, String secret, String host) {
        }
    }, 10, 3, now::get);

    private static Refusal refusal(String sandbox, String name) {
        return new Refusal(sandbox, name, 0, "dns", "not in allow_domains");
    }

    @Test
    void anIdenticalRefusalIsReportedOncePerWindow() {
        assertThat(reporter.report(refusal("a", "x.test"))).isTrue();
        now.addAndGet(9);
        assertThat(reporter.report(refusal("a", "x.test"))).isFalse();
        assertThat(reporter.report(refusal("b", "x.test"))).isTrue();
        now.addAndGet(1);
        assertThat(reporter.report(refusal("a", "x.test"))).isTrue();
        assertThat(sent).hasSize(3);
    }

    @Test
    void aSandboxGetsAFewRefusalsPerWindowAndTheNextWindowMore() {
        for (int i = 0; i < 10; i++) {
            reporter.report(refusal("a", i + ".tunnel.test"));
        }
        assertThat(reporter.report(refusal("b", "other.test"))).isTrue();
        assertThat(sent).extracting(Refusal::destination)
                .containsExactly("0.tunnel.test", "1.tunnel.test", "2.tunnel.test", "other.test");

        now.addAndGet(10);
        assertThat(reporter.report(refusal("a", "5.tunnel.test"))).as("held back before, so news now").isTrue();
    }
}
