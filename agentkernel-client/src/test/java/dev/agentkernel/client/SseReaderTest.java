package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server-Sent Events framing, whatever the chunks and line endings. */
class SseReaderTest {

    /** Delivers {@code bytes} in chunks of random sizes from 1 to {@code max}, as a network would. */
    static InputStream chunked(byte[] bytes, int max, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + random.nextInt(max)), bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    static List<SseReader.Frame> frames(InputStream in) throws IOException {
        SseReader reader = new SseReader(in);
        List<SseReader.Frame> out = new ArrayList<>();
        for (SseReader.Frame f; (f = reader.next()) != null; ) {
            out.add(f);
        }
        return out;
    }

    static List<SseReader.Frame> frames(String text) throws IOException {
        return frames(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static final String SERVER_STREAM = "event: started\ndata: {\"sandbox\":\"s-1\"}\n\n"
            + ": keep-alive\n\n"
            + "event: output\ndata: {\"content\":\"héllo €\\n\",\"data\":\"héllo €\\n\",\"stream\":\"stdout\"}\n\n"
            + ": keep-alive\n\n"
            + "event: done\ndata: {\"exit_code\":0}\n\n";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64})
    void framesSurviveAnyChunking(int maxChunk) throws IOException {
        for (long seed = 0; seed < 20; seed++) {
            List<SseReader.Frame> f = frames(chunked(SERVER_STREAM.getBytes(StandardCharsets.UTF_8), maxChunk, seed));
            assertThat(f).extracting(SseReader.Frame::event).containsExactly("started", "output", "done");
            assertThat(f.get(1).data()).contains("héllo €\\n");
        }
    }

    @Test
    void crlfAndCrEndLinesToo() throws IOException {
        String crlf = SERVER_STREAM.replace("\n", "\r\n");
        String cr = SERVER_STREAM.replace("\n", "\r");
        for (String text : List.of(crlf, cr)) {
            for (int max : new int[] {1, 2, 5}) {
                List<SseReader.Frame> f = frames(chunked(text.getBytes(StandardCharsets.UTF_8), max, max));
                assertThat(f).extracting(SseReader.Frame::event).containsExactly("started", "output", "done");
                assertThat(f.get(2).data()).isEqualTo("{\"exit_code\":0}");
            }
        }
    }

    @Test
    void dataLinesAreJoinedWithNewlines() throws IOException {
        assertThat(frames("event: output\ndata: first\ndata:second\ndata:  third\ndata\n\n"))
                .containsExactly(new SseReader.Frame("output", "first\nsecond\n third\n"));
    }

    @Test
    void commentsOtherFieldsAndEmptyFramesAreIgnored() throws IOException {
        assertThat(frames(": hello\n\nid: 7\nretry: 100\nevent: progress\nfoo: bar\ndata: {}\n\n"
                + "event: nothing\n\n" + "event\ndata: x\n\n"))
                .containsExactly(new SseReader.Frame("progress", "{}"), new SseReader.Frame("message", "x"));
    }

    @Test
    void aFrameWithoutTypeIsAMessage() throws IOException {
        assertThat(frames("data: x\n\n")).containsExactly(new SseReader.Frame("message", "x"));
    }

    @Test
    void anUnfinishedFrameAtTheEndIsDropped() throws IOException {
        assertThat(frames("event: done\ndata: {\"exit_code\":0}\n")).isEmpty();
        assertThat(frames("event: done\ndata: {\"exit_code\":0}")).isEmpty();
        assertThat(frames("")).isEmpty();
    }

    @Test
    void aLeadingByteOrderMarkIsSkipped() throws IOException {
        assertThat(frames("\uFEFFevent: done\ndata: {}\n\n")).containsExactly(new SseReader.Frame("done", "{}"));
    }

    @Test
    void typeResetsAfterEachFrame() throws IOException {
        assertThat(frames("event: output\ndata: a\n\ndata: b\n\n")).containsExactly(
                new SseReader.Frame("output", "a"), new SseReader.Frame("message", "b"));
    }
}
