package dev.agentkernel.core.sandbox;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A virtual thread that looks at the running sandboxes every {@code idleAfter / 4} (between
 * 100 ms and 5 s) and asks for each to be paused if it is idle (the check and the pause happen
 * under the sandbox's lock, in {@link SandboxManager}). Package-private.
 */
final class IdlePauser implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(IdlePauser.class.getName());
    private final Thread thread;

    IdlePauser(Duration idleAfter, Supplier<Iterable<String>> running, Consumer<String> pauseIfIdle) {
        long tick = Math.clamp(idleAfter.toMillis() / 4, 100, 5_000);
        this.thread = Thread.ofVirtual().name("ak-idle-pauser").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                for (String name : running.get()) {
                    try {
                        pauseIfIdle.accept(name);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot pause idle sandbox '" + name + "': " + e.getMessage());
                    }
                }
            }
        });
    }

    /** Stops the thread and waits for it. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
