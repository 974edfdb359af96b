package dev.agentkernel.core.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A background thread that runs a piece of upkeep every {@code interval} unless paused.
 * Package-private: {@link SessionManager} gives it its work.
 */
final class SessionMaintenance implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionMaintenance.class.getName());
    private final Duration interval;
    private final Runnable work;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean paused;
    private volatile boolean closed;
    private long runs;                 // guarded by this
    private Instant lastRunAt;         // guarded by this

    SessionMaintenance(Duration interval, Clock clock, Runnable work) {
        this.interval = interval;
        this.clock = clock;
        this.work = work;
        this.thread = Thread.ofVirtual().name("ak-session-maintenance").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (!paused && !closed) {
                runNow();
            }
        }
    }

    /** Runs the work now, in the calling thread (even when paused: an explicit request). */
    void runNow() {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "session maintenance failed: " + e.getMessage(), e);
        }
        synchronized (this) {
            runs++;
            lastRunAt = clock.instant();
        }
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    boolean paused() {
        return paused;
    }

    Duration interval() {
        return interval;
    }

    synchronized long runs() {
        return runs;
    }

    synchronized Optional<Instant> lastRunAt() {
        return Optional.ofNullable(lastRunAt);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
