package dev.agentkernel.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link OutputTail}: the last bytes in order, the count of dropped ones, against a plain model. */
class OutputTailTest {

    @Test
    void keepsEverythingUntilTheCapacityThenTheLastBytes() {
        OutputTail tail = new OutputTail(10);
        tail.append(bytes("hello "), 0, 6);
        assertThat(text(tail)).isEqualTo("hello ");
        assertThat(tail.kept().dropped()).isZero();
        tail.append(bytes("world!!"), 0, 7);
        assertThat(text(tail)).isEqualTo("lo world!!");
        assertThat(tail.kept().dropped()).isEqualTo(3);
        tail.append(bytes("0123456789ABC"), 2, 11);
        assertThat(text(tail)).isEqualTo("3456789ABC");
        assertThat(tail.kept().dropped()).isEqualTo(14);
        assertThat(tail.total()).isEqualTo(24);
    }

    @Test
    void randomAppendsMatchAModel() {
        Random random = new Random(42);
        for (int capacity : new int[] {1, 7, 4096, 10_000}) {
            OutputTail tail = new OutputTail(capacity);
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                int length = random.nextInt(random.nextBoolean() ? 16 : 3 * capacity + 1);
                byte[] chunk = new byte[length + 4];
                for (int j = 0; j < chunk.length; j++) {
                    chunk[j] = (byte) ('a' + random.nextInt(26));
                }
                tail.append(chunk, 2, length);
                all.append(new String(chunk, 2, length, StandardCharsets.US_ASCII));
                String expected = all.substring(Math.max(0, all.length() - capacity));
                assertThat(text(tail)).as("capacity %d after %d appends", capacity, i + 1).isEqualTo(expected);
                assertThat(tail.kept().dropped()).isEqualTo(all.length() - expected.length());
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(OutputTail tail) {
        return new String(tail.kept().bytes(), StandardCharsets.US_ASCII);
    }
}
