package dev.agentkernel.image.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FileWriterPoolTest {

    @Test
    void writesOfOneDirectoryRunInTheirOrderAndAwaitAllSeesThemAll() throws IOException {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        try (FileWriterPool pool = new FileWriterPool(4, 1 << 20, "test")) {
            for (int i = 0; i < 2000; i++) {
                String dir = "d" + (i % 7);
                int n = i;
                pool.submit(dir, 10, () -> seen.computeIfAbsent(dir, k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(n));
            }
            pool.awaitAll();
            assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(2000);
            seen.values().forEach(list -> assertThat(list).isSorted());
        }
    }

    @Test
    void theFirstFailureIsThrownAndLaterWritesDoNotRun() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        FileWriterPool pool = new FileWriterPool(1, 1 << 20, "test");
        pool.submit("d", 1, () -> {
            failed.countDown();
            throw new IOException("disk full");
        });
        failed.await();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                pool.submit("d", 1, ran::incrementAndGet);
            }
            pool.awaitAll();
        }).isInstanceOf(IOException.class).hasMessage("disk full");
        pool.close();
        assertThat(ran.get()).isZero();
    }

    @Test
    void queuedBytesStayWithinTheBudget() throws IOException {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (FileWriterPool pool = new FileWriterPool(4, 100, "test")) {
            for (int i = 0; i < 200; i++) {
                pool.submit("d" + i, 40, () -> {
                    most.accumulateAndGet(inFlight.addAndGet(40), Math::max);
                    Thread.onSpinWait();
                    inFlight.addAndGet(-40);
                });
            }
            pool.awaitAll();
        }
        assertThat(most.get()).isLessThanOrEqualTo(80);
    }

    @Test
    void closeWaitsForTheWriteRunning() throws Exception {
        AtomicInteger done = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        FileWriterPool pool = new FileWriterPool(2, 1 << 20, "test");
        pool.submit("d", 1, () -> {
            started.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.incrementAndGet();
        });
        started.await();
        pool.close();
        assertThat(done.get()).isEqualTo(1);
    }
}
