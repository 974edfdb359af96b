package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code --gate FIFO}: it waits there before anything else, goes on after "g", and ends with exit
 * 125 ("launch called off") after anything else or the end of the FIFO (the host's side closed).
 */
class AgentGateTest {

    private static Process agent(Path dir, Path fifo) throws Exception {
        Path binary = AgentBinary.extractTo(dir.resolve("bin"));
        return new ProcessBuilder(binary.toString(), "--gate", fifo.toString()).start();
    }

    private static Path fifo(Path dir) throws Exception {
        Path fifo = dir.resolve("gate");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        return fifo;
    }

    @Test
    void theAgentWaitsAtTheGateUntilTheHostSaysGo(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir);
        try (RandomAccessFile host = new RandomAccessFile(fifo.toFile(), "rw")) {
            Process p = agent(dir, fifo);
            assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("still at the gate").isFalse();
            host.write('g');
            p.getOutputStream().close(); // end of the protocol's input: the agent ends normally
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
    }

    @Test
    void anythingButGoOrTheEndOfTheGateCallsTheLaunchOff(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir);
        Process refused;
        try (RandomAccessFile host = new RandomAccessFile(fifo.toFile(), "rw")) {
            refused = agent(dir, fifo);
            host.write('x');
            assertThat(refused.waitFor(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(refused.exitValue()).isEqualTo(125);
        assertThat(new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("launch called off");
        Process abandoned;
        try (RandomAccessFile host = new RandomAccessFile(fifo.toFile(), "rw")) {
            abandoned = agent(dir, fifo);
            assertThat(abandoned.waitFor(300, TimeUnit.MILLISECONDS)).isFalse();
        } // the host's side closed without a word
        assertThat(abandoned.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(abandoned.exitValue()).isEqualTo(125);
    }
}
