package dev.agentkernel.egress.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantSlotsTest {

    @Test
    void aSandboxHoldsAtMostTheCapAndOthersAreNotAffected() {
        TenantSlots slots = new TenantSlots(2);
        assertThat(slots.tryAcquire("a")).isTrue();
        assertThat(slots.tryAcquire("a")).isTrue();
        assertThat(slots.tryAcquire("a")).isFalse();
        assertThat(slots.tryAcquire("b")).isTrue();

        slots.release("a");
        assertThat(slots.tryAcquire("a")).isTrue();
        slots.release("a");
        slots.release("a");
        slots.release("b");
        assertThat(slots.held("a")).isZero();
        assertThat(slots.held("b")).isZero();
    }
}
