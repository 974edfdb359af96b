package dev.agentkernel.core.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.ConflictException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One daemon per state directory: a second one, in another process or this one, is refused; the lock goes with its holder. */
class StateLockTest {

    @Test
    void aSecondHolderIsRefusedUntilTheFirstReleases(@TempDir Path state) {
        StateLock first = StateLock.acquire(state);
        assertThat(state.resolve(StateLock.FILE)).content().isEqualTo(ProcessHandle.current().pid() + "\n");
        assertThatThrownBy(() -> StateLock.acquire(state)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already runs a daemon");
        first.close();
        StateLock.acquire(state).close();
    }

    @Test
    void anotherProcessHoldingItIsNamedAndItsEndFreesTheDirectory(@TempDir Path state) throws Exception {
        Path file = state.resolve(StateLock.FILE);
        // another process takes the same kind of lock (fcntl, as the JDK's) and says it holds it
        Process other = new ProcessBuilder("python3", "-c", "import fcntl, sys; f = open(sys.argv[1], 'a+'); "
                + "fcntl.lockf(f, fcntl.LOCK_EX); f.truncate(0); f.write('4242\\n'); f.flush(); print('held', flush=True); "
                + "sys.stdin.read()", file.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(other.getInputStream().readNBytes(5))).isEqualTo("held\n");
            assertThatThrownBy(() -> StateLock.acquire(state)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("another AgentKernel daemon (pid 4242)")
                    .hasMessageContaining(state.toString());
        } finally {
            other.destroyForcibly();
            other.waitFor(5, TimeUnit.SECONDS);
        }
        try (StateLock mine = StateLock.acquire(state)) {
            assertThat(Files.readString(file)).isEqualTo(ProcessHandle.current().pid() + "\n");
        }
    }
}
