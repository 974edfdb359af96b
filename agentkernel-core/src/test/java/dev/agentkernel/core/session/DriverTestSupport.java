package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Shared set-up for the per-interpreter driver tests: starts drivers and stops them after each test. */
abstract class DriverTestSupport {

    private final List<LocalDriver> started = new ArrayList<>();

    abstract InterpreterTemplate template();

    @BeforeEach
    void requireInterpreter() {
        assumeTrue(LocalDriver.available(template()), template().executable() + " is not installed");
    }

    @AfterEach
    void stopDrivers() {
        started.forEach(LocalDriver::close);
    }

    LocalDriver startDriver() {
        LocalDriver d = LocalDriver.start(template());
        started.add(d);
        return d;
    }

    DriverConnection connect() {
        return startDriver().connection;
    }

    static DriverResult ok(DriverConnection c, String code) {
        DriverResult r = c.execute(code, Duration.ofSeconds(20));
        assertThat(r.success()).as("%s -> %s", code, r).isTrue();
        assertThat(r.error()).isNull();
        return r;
    }

    static DriverResult failed(DriverConnection c, String code) {
        DriverResult r = c.execute(code, Duration.ofSeconds(20));
        assertThat(r.success()).as("%s -> %s", code, r).isFalse();
        assertThat(r.error()).isNotNull();
        return r;
    }

    /** Runs {@code code} without timeout, sends SIGINT after a moment and returns the answer. */
    static DriverResult interruptAfterStart(DriverConnection c, String code) throws Exception {
        CompletableFuture<DriverResult> running = CompletableFuture.supplyAsync(() -> c.execute(code));
        Thread.sleep(700);
        for (int i = 0; i < 10 && !running.isDone(); i++) {
            c.interrupt();
            try {
                return running.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException retry) {
                // the signal may have arrived before the code started; send another one
            }
        }
        return running.get(5, TimeUnit.SECONDS);
    }

    static String megabyteOf(char c) {
        return String.valueOf(c).repeat(1024 * 1024);
    }
}
