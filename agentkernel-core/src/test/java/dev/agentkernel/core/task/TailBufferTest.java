package dev.agentkernel.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TailBufferTest {

    @Test
    void keepsTheTailAndSaysHowMuchWasDropped() {
        TailBuffer tail = new TailBuffer(10);
        tail.append("hello ");
        tail.append("world, ");
        tail.append("again");
        assertThat(tail.text()).isEqualTo("[... 8 earlier bytes dropped ...]\nrld, again");
    }

    @Test
    void matchesAPlainTailForRandomAppends() {
        Random random = new Random(42);
        TailBuffer tail = new TailBuffer(10_000);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            String piece = "x".repeat(random.nextInt(random.nextInt(10) == 0 ? 12_000 : 50)) + i + ",";
            tail.append(piece);
            all.append(piece);
        }
        String kept = all.substring(all.length() - 10_000);
        assertThat(tail.text()).isEqualTo("[... " + (all.length() - 10_000) + " earlier bytes dropped ...]\n" + kept);
    }

    @Test
    void memoryGrowsWithWhatIsKeptNotWithTheLimit() {
        TailBuffer tail = new TailBuffer(1 << 20);
        assertThat(tail.capacity()).isZero();
        tail.append("small".getBytes(StandardCharsets.UTF_8), 0, 5);
        assertThat(tail.capacity()).isLessThanOrEqualTo(4096);
        byte[] big = new byte[3 << 20];
        tail.append(big, 0, big.length);
        assertThat(tail.capacity()).isEqualTo(1 << 20);
    }
}
