package dev.agentkernel.egress.dns;

import dev.agentkernel.egress.EgressEvents;
import dev.agentkernel.egress.Refusal;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Passes refusals on to {@link EgressEvents}, so that a loop cannot flood the audit log: one
 * identical refusal (sandbox, destination, rule) per window, and at most {@code perSandbox}
 * refusals of one sandbox per window (a tunnel makes every name new). What is held back is
 * counted and logged once per window; the query is answered all the same.
 */
final class RefusalReporter {

    private static final System.Logger LOG = System.getLogger(RefusalReporter.class.getName());
    private static final int MAX_KEYS = 10_000;

    private final EgressEvents events;
    private final long windowNanos;
    private final int perSandbox;
    private final LongSupplier clock;
    private final Map<Refusal, Long> lastSent = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RefusalReporter(EgressEvents events, long windowNanos, int perSandbox, LongSupplier clock) {
        this.events = events;
        this.windowNanos = windowNanos;
        this.perSandbox = perSandbox;
        this.clock = clock;
    }

    /** Reports {@code refusal} unless an identical one or too many of its sandbox were reported in this window. */
    boolean report(Refusal refusal) {
        long now = clock.getAsLong();
        boolean[] fresh = {false};
        lastSent.compute(refusal, (k, last) -> {
            if (last != null && now - last < windowNanos) {
                return last;
            }
            fresh[0] = true;
            return now;
        });
        if (!fresh[0]) {
            return false;
        }
        boolean[] within = {false};
        windows.compute(refusal.sandbox(), (k, w) -> {
            Window window = w == null || now - w.start >= windowNanos ? restart(k, w, now) : w;
            if (window.sent < perSandbox) {
                window.sent++;
                within[0] = true;
            } else {
                window.held++;
            }
            return window;
        });
        if (lastSent.size() > MAX_KEYS) {
            prune(now);
        }
        if (within[0]) {
            events.refused(refusal);
        } else {
            // not sent: an identical refusal after the window is news again
            lastSent.remove(refusal, now);
        }
        return within[0];
    }

    private static Window restart(String sandbox, Window previous, long now) {
        if (previous != null && previous.held > 0) {
            LOG.log(System.Logger.Level.WARNING, "egress DNS: {0} more refusals of sandbox {1} were not audited "
                    + "(at most one identical refusal and a few per sandbox are audited per window)", previous.held, sandbox);
        }
        return new Window(now);
    }

    private void prune(long now) {
        for (Iterator<Map.Entry<Refusal, Long>> i = lastSent.entrySet().iterator(); i.hasNext(); ) {
            if (now - i.next().getValue() >= windowNanos) {
                i.remove();
            }
        }
        windows.values().removeIf(w -> now - w.start >= windowNanos && w.held == 0);
    }

    private static final class Window {
        private final long start;
        private int sent;
        private int held;

        private Window(long start) {
            this.start = start;
        }
    }
}
