package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceLimitsTest {

    @Test
    void theSmallestLimitsThatCanRunAreAccepted() {
        ResourceLimits limits = new ResourceLimits(ResourceLimits.MIN_MEMORY_MB, 0.01, ResourceLimits.MIN_PIDS, 1);

        assertThat(limits.memoryMb()).isEqualTo(16);
        assertThat(limits.vcpus()).isEqualTo(0.01);
        assertThat(limits.pids()).isEqualTo(8);
        assertThat(limits.tmpMb()).isEqualTo(1);
    }

    @Test
    void memoryBelowTheMinimumIsRefusedNamingValueAndMinimum() {
        assertThatThrownBy(() -> new ResourceLimits(15, 1, 64, 16))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("memory limit 15 MB is below the minimum of 16 MB a sandbox needs to start");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void aCpuLimitThatIsNotAPositiveFiniteNumberIsRefused(double vcpus) {
        assertThatThrownBy(() -> new ResourceLimits(512, vcpus, 64, 16))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("cpu limit " + vcpus + " must be a positive number of cores, e.g. 0.5 or 2");
    }

    @Test
    void aCpuLimitBelowOneHundredthOfACoreIsRefused() {
        assertThatThrownBy(() -> new ResourceLimits(512, 0.009, 64, 16))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("cpu limit 0.009 is below the minimum of 0.01 cores");
    }

    @Test
    void fewerProcessesThanTheMinimumAreRefused() {
        assertThatThrownBy(() -> new ResourceLimits(512, 1, 7, 16))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("process limit 7 is below the minimum of 8");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -5})
    void aTmpSizeBelowOneMegabyteIsRefused(long tmp) {
        assertThatThrownBy(() -> new ResourceLimits(512, 1, 64, tmp))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("/tmp size " + tmp + " MB must be at least 1 MB");
    }

    @Test
    void withersChangeOneFieldAndValidate() {
        ResourceLimits base = new ResourceLimits(512, 1, 64, 128);

        assertThat(base.withMemoryMb(1024)).isEqualTo(new ResourceLimits(1024, 1, 64, 128));
        assertThat(base.withVcpus(0.5)).isEqualTo(new ResourceLimits(512, 0.5, 64, 128));
        assertThat(base.withPids(256)).isEqualTo(new ResourceLimits(512, 1, 256, 128));
        assertThat(base.withTmpMb(8)).isEqualTo(new ResourceLimits(512, 1, 64, 8));
        assertThatThrownBy(() -> base.withMemoryMb(1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> base.withVcpus(0)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> base.withPids(1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> base.withTmpMb(0)).isInstanceOf(InvalidRequestException.class);
    }
}
