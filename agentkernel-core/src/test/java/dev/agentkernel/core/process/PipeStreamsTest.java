package dev.agentkernel.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pipes read and written through {@link PipePoller} by virtual threads (linux only, as the project). */
class PipeStreamsTest {

    @Test
    void whatIsWrittenIsReadInOrderAndTheReaderSeesTheEndWhenTheWriterCloses() throws Exception {
        PipeStreams.Pipe pipe = PipeStreams.pipe();
        InputStream in = PipeStreams.input(pipe.read());
        OutputStream out = PipeStreams.output(pipe.write());
        byte[] data = new byte[8 * 1024 * 1024 + 3]; // far more than a pipe holds: both sides wait in the poller
        new Random(7).nextBytes(data);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (out) {
                for (int off = 0; off < data.length; off += 100_000) {
                    out.write(data, off, Math.min(100_000, data.length - off));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                read.complete(in.readAllBytes());
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        });
        byte[] got = read.get(30, TimeUnit.SECONDS);
        writer.join();
        assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void closingAStreamWakesTheThreadWaitingInItsRead() throws Exception {
        PipeStreams.Pipe pipe = PipeStreams.pipe();
        InputStream in = PipeStreams.input(pipe.read());
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                in.read(new byte[10]);
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
            }
        });
        Thread.sleep(100);
        assertThat(reader.isAlive()).as("waiting for data").isTrue();
        in.close();
        assertThat(failure.get(5, TimeUnit.SECONDS)).hasMessage("Stream closed");
        PosixSpawn.closeQuietly(pipe.write());
    }

    @Test
    void writingToAPipeWhoseReaderIsGoneFails() throws Exception {
        PipeStreams.Pipe pipe = PipeStreams.pipe();
        PosixSpawn.closeQuietly(pipe.read());
        try (OutputStream out = PipeStreams.output(pipe.write())) {
            assertThatThrownBy(() -> out.write(new byte[] {1})).isInstanceOf(IOException.class).hasMessage("Broken pipe");
        }
    }

    @Test
    void threadsWaitingInReadsHoldNoCarrierThread() throws Exception {
        int waiting = 1000; // far more than carrier threads (and than the scheduler's 256 compensating ones)
        List<PipeStreams.Pipe> pipes = new ArrayList<>();
        List<InputStream> streams = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        try {
            for (int i = 0; i < waiting; i++) {
                PipeStreams.Pipe pipe = PipeStreams.pipe();
                pipes.add(pipe);
                InputStream in = PipeStreams.input(pipe.read());
                streams.add(in);
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        in.read();
                    } catch (IOException ignored) {
                        // closed at the end
                    }
                }));
            }
            Thread.sleep(200);
            CompletableFuture<String> other = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> other.complete("ran"));
            assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(readers).allMatch(Thread::isAlive);
        } finally {
            for (int i = 0; i < streams.size(); i++) {
                streams.get(i).close();
                PosixSpawn.closeQuietly(pipes.get(i).write());
            }
        }
        for (Thread reader : readers) {
            assertThat(reader.join(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }
}
