package dev.agentkernel.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.host.OwnerTag.Owner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OwnerTagTest {

    private static final long HOST_NS = 4026531836L;
    private static final long CONTAINER_NS = 4026532999L;
    private static final String BOOT = "66b1137e";

    /** A process table: host pid -> (start, namespace, innermost pid). */
    private static final class FakeProcesses implements OwnerTag.Processes {
        final Owner self = new Owner(100, 5000, HOST_NS, BOOT);
        final Map<Long, long[]> table = new HashMap<>();

        FakeProcesses() {
            add(100, 5000, HOST_NS, 100);
        }

        FakeProcesses add(long pid, long start, long ns, long inner) {
            table.put(pid, new long[] {start, ns, inner});
            return this;
        }

        @Override
        public Owner self() {
            return self;
        }

        @Override
        public String boot() {
            return BOOT;
        }

        @Override
        public OptionalLong startTicks(long pid) {
            return table.containsKey(pid) ? OptionalLong.of(table.get(pid)[0]) : OptionalLong.empty();
        }

        @Override
        public OptionalLong pidNamespace(long pid) {
            return table.containsKey(pid) ? OptionalLong.of(table.get(pid)[1]) : OptionalLong.empty();
        }

        @Override
        public OptionalLong innermostPid(long pid) {
            return table.containsKey(pid) ? OptionalLong.of(table.get(pid)[2]) : OptionalLong.empty();
        }

        @Override
        public List<Long> all() {
            return new ArrayList<>(table.keySet());
        }

        @Override
        public boolean exists(long pid) {
            return table.containsKey(pid);
        }
    }

    private static String name(long pid, long start, long ns, String boot) {
        return new Owner(pid, start, ns, boot).tag() + "-7";
    }

    @Test
    void aTagNamesItsOwnerAndParsesBack() {
        Owner owner = new Owner(4_194_304, 123_456_789, HOST_NS, BOOT);
        String tag = owner.tag();
        assertThat(tag.length()).isLessThanOrEqualTo(32);
        assertThat(Owner.parse(tag + "-12")).contains(owner);
        assertThat(Owner.parse(tag)).isEmpty();
        assertThat(Owner.parse("agent")).isEmpty();
        assertThat(Owner.parse("12345-3")).isEmpty();
    }

    @Test
    void ourOwnResourcesAndThoseOfALiveOwnerAreNotOrphaned() {
        FakeProcesses procs = new FakeProcesses().add(200, 6000, HOST_NS, 200);
        assertThat(OwnerTag.isOrphaned(name(100, 5000, HOST_NS, BOOT), procs)).isFalse();
        assertThat(OwnerTag.isOrphaned(name(200, 6000, HOST_NS, BOOT), procs)).isFalse();
    }

    @Test
    void anOwnerThatIsGoneOrWhosePidWasReusedLeftOrphans() {
        FakeProcesses procs = new FakeProcesses().add(200, 9999, HOST_NS, 200); // pid 200 reused by a later process
        assertThat(OwnerTag.isOrphaned(name(200, 6000, HOST_NS, BOOT), procs)).isTrue();
        assertThat(OwnerTag.isOrphaned(name(300, 6000, HOST_NS, BOOT), procs)).isTrue();
    }

    @Test
    void anEarlierBootsResourcesAreOrphaned() {
        FakeProcesses procs = new FakeProcesses();
        assertThat(OwnerTag.isOrphaned(name(100, 5000, HOST_NS, "00112233"), procs)).isTrue();
    }

    @Test
    void aLiveDaemonInAnotherPidNamespaceKeepsItsResourcesEvenWhenItsPidIsTakenHere() {
        // The container's daemon is pid 7 in its namespace, pid 4321 on the host; our pid 7 is something else.
        FakeProcesses procs = new FakeProcesses()
                .add(7, 1, HOST_NS, 7)
                .add(4321, 6000, CONTAINER_NS, 7);
        assertThat(OwnerTag.isOrphaned(name(7, 6000, CONTAINER_NS, BOOT), procs)).isFalse();
    }

    @Test
    void inAVisibleNamespaceAGoneOwnerLeftOrphansButAnInvisibleNamespaceIsLeftAlone() {
        FakeProcesses procs = new FakeProcesses().add(4321, 6000, CONTAINER_NS, 7);
        assertThat(OwnerTag.isOrphaned(name(8, 6500, CONTAINER_NS, BOOT), procs)).isTrue();
        assertThat(OwnerTag.isOrphaned(name(8, 6500, 4026533000L, BOOT), procs)).isFalse();
    }

    @Test
    void namesInTheOldFormAreOrphanedWhenNoProcessHasThePid() {
        FakeProcesses procs = new FakeProcesses().add(200, 6000, HOST_NS, 200);
        assertThat(OwnerTag.isOrphaned("200-3", procs)).isFalse();
        assertThat(OwnerTag.isOrphaned("300-3", procs)).isTrue();
        assertThat(OwnerTag.isOrphaned("100-3", procs)).isFalse();
        assertThat(OwnerTag.isOrphaned("agent", procs)).isFalse();
        assertThat(OwnerTag.isOrphaned("spool", procs)).isFalse();
    }

    @Test
    void startTimeIsField22EvenWithSpacesAndParenthesesInTheCommand() {
        String stat = "1234 (a) b (c) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000 10";
        assertThat(OwnerTag.startTicksOf(stat)).hasValue(987654);
        assertThat(OwnerTag.startTicksOf("garbage")).isEmpty();
    }

    @Test
    void onThisHostALiveChildIsAnOwnerAndAReusedPidIsNot() throws Exception {
        OwnerTag.Processes proc = new OwnerTag.ProcFileSystem();
        assertThat(OwnerTag.isOrphaned(OwnerTag.of("1"))).isFalse();
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            Owner me = proc.self();
            long start = proc.startTicks(child.pid()).orElseThrow();
            String live = name(child.pid(), start, me.pidNamespace(), me.boot());
            String reused = name(child.pid(), start - 1, me.pidNamespace(), me.boot());
            assertThat(OwnerTag.isOrphaned(live)).isFalse();
            assertThat(OwnerTag.isOrphaned(reused)).isTrue();
            child.destroy();
            child.waitFor(5, TimeUnit.SECONDS);
            assertThat(OwnerTag.isOrphaned(live)).isTrue();
        } finally {
            child.destroyForcibly();
        }
    }
}
