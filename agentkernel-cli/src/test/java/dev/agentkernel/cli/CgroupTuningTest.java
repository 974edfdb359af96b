package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupTuningTest {

    @Test
    void onlyCgroup2MountsWithoutTheOptionAreReported() {
        List<String> mounts = List.of(
                "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
                "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0",
                "cgroup2 /run/with\\040space cgroup2 rw,nosuid 0 0",
                "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,favordynmods 0 0",
                "tmpfs /favordynmods tmpfs rw 0 0",
                "short line");
        assertThat(CgroupTuning.untuned(mounts)).containsExactly("/sys/fs/cgroup/unified", "/run/with space");
    }

    @Test
    void anOptionThatOnlyContainsTheNameDoesNotCount() {
        assertThat(CgroupTuning.untuned(List.of("cgroup2 /x cgroup2 rw,nofavordynmods 0 0"))).containsExactly("/x");
    }
}
