package dev.agentkernel.agent;

import dev.agentkernel.agent.AgentProtocol.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A small deterministic mutation engine for streams of protocol frames, shared by the fuzz
 * tests of both ends (AgentProtocolFuzzTest: the Java decoder; AgentFuzzIT: the C agent).
 * Everything comes from one seeded {@link Random}, so a seed reproduces a run.
 *
 * <p>Structural mutations keep every header's length equal to its payload's (so the stream
 * stays in frame); raw mutations change any byte, headers included.
 */
final class FrameMutator {

    /** Fuzzing time of one fuzz test: {@code -Dagentkernel.fuzz.seconds=N} (default: a few seconds). */
    static long seconds(long defaultSeconds) {
        return Long.getLong("agentkernel.fuzz.seconds", defaultSeconds);
    }

    /** The seed of one fuzz test: {@code -Dagentkernel.fuzz.seed=N} to reproduce a run; random otherwise. */
    static long seed() {
        Long fixed = Long.getLong("agentkernel.fuzz.seed");
        return fixed != null ? fixed : new Random().nextLong();
    }

    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 64, 0x7f, 0x80, 0xff, 0x100, 0x101,
        0x7fff, 0x8000, 0xffff, 0x10000, 1 << 16 | 1, 1 << 18, 1 << 20, (1 << 20) + 1, 0x7fffffffL, 0x80000000L,
        0xfffffffeL, 0xffffffffL};

    private final Random random;

    FrameMutator(Random random) {
        this.random = random;
    }

    /** Streams of frames, one per non-comment line of a hex file under {@code src/test/resources}. */
    static List<byte[]> corpus(String resource) {
        try (InputStream in = FrameMutator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<byte[]> streams = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String hex = line.strip();
                if (!hex.isEmpty() && !hex.startsWith("#")) {
                    streams.add(HexFormat.of().parseHex(hex));
                }
            }
            return streams;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The frames of a well-formed stream. */
    static List<Frame> frames(byte[] stream) {
        List<Frame> frames = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(stream)) {
            for (Frame f; (f = Frame.readFrom(in, Integer.MAX_VALUE - 16)) != null; ) {
                frames.add(f);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a well-formed stream of frames: " + e.getMessage(), e);
        }
        return frames;
    }

    static byte[] encode(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Frame f : frames) {
                f.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Keeps a failing input where a developer finds it: {@code target/fuzz-failures/NAME}. */
    static Path keep(String name, byte[] input) {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            return Files.write(dir.resolve(name), input).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    long interesting() {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    /**
     * One to four structural mutations of {@code frames} (from the corpus {@code pool} for
     * splices); every frame's header stays consistent with its payload, at most {@code maxPayload} bytes.
     */
    List<Frame> mutateFrames(List<Frame> frames, List<byte[]> pool, int[] types, int maxPayload) {
        List<Frame> result = new ArrayList<>(frames);
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            if (result.isEmpty()) {
                result.addAll(frames(pool.get(random.nextInt(pool.size()))));
                continue;
            }
            int at = random.nextInt(result.size());
            Frame f = result.get(at);
            switch (random.nextInt(8)) {
                case 0 -> result.set(at, new Frame(random.nextInt(4) == 0 ? random.nextInt(256) : types[random.nextInt(types.length)],
                        f.channel(), f.payload()));
                case 1 -> result.set(at, new Frame(f.type(), random.nextInt(4) == 0 ? (int) interesting() : random.nextInt(16),
                        f.payload()));
                case 2, 3, 4 -> {
                    byte[] p = mutateBytes(f.payload(), maxPayload);
                    result.set(at, new Frame(f.type(), f.channel(), p));
                }
                case 5 -> result.add(random.nextInt(result.size() + 1), f);
                case 6 -> result.remove(at);
                default -> {
                    List<Frame> other = frames(pool.get(random.nextInt(pool.size())));
                    result.add(random.nextInt(result.size() + 1), other.get(random.nextInt(other.size())));
                }
            }
        }
        return result;
    }

    /** One to four byte-level mutations anywhere in {@code data} (headers included). */
    byte[] mutateRaw(byte[] data) {
        byte[] result = data;
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            result = mutateBytes(result, Integer.MAX_VALUE);
        }
        return result;
    }

    /** One mutation of a byte array: bit flip, interesting byte or u32, insert, delete, truncate, random tail. */
    byte[] mutateBytes(byte[] data, int maxLength) {
        int n = data.length;
        byte[] r;
        switch (random.nextInt(7)) {
            case 0 -> {
                if (n == 0) {
                    return new byte[] {(byte) random.nextInt(256)};
                }
                r = data.clone();
                r[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> {
                if (n == 0) {
                    return new byte[] {(byte) interesting()};
                }
                r = data.clone();
                r[random.nextInt(n)] = (byte) interesting();
            }
            case 2 -> {
                if (n < 4) {
                    return ByteBuffer.allocate(4).putInt((int) interesting()).array();
                }
                r = data.clone();
                ByteBuffer.wrap(r).putInt(random.nextInt(n - 3), (int) interesting());
            }
            case 3 -> {
                int at = random.nextInt(n + 1);
                int k = 1 + random.nextInt(random.nextInt(8) == 0 ? 4096 : 16);
                k = Math.max(0, Math.min(k, maxLength - n));
                r = new byte[n + k];
                System.arraycopy(data, 0, r, 0, at);
                for (int i = 0; i < k; i++) {
                    r[at + i] = (byte) random.nextInt(256);
                }
                System.arraycopy(data, at, r, at + k, n - at);
            }
            case 4 -> {
                if (n == 0) {
                    return data;
                }
                int at = random.nextInt(n);
                int k = 1 + random.nextInt(Math.min(16, n - at));
                r = new byte[n - k];
                System.arraycopy(data, 0, r, 0, at);
                System.arraycopy(data, at + k, r, at, n - at - k);
            }
            case 5 -> r = java.util.Arrays.copyOf(data, random.nextInt(n + 1));
            default -> {
                r = data.clone();
                if (n > 0) {
                    int at = random.nextInt(n);
                    for (int i = at; i < n && i < at + 8; i++) {
                        r[i] = (byte) random.nextInt(256);
                    }
                }
            }
        }
        return r;
    }
}
