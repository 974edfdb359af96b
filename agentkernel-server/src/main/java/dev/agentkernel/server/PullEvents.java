package dev.agentkernel.server;

import dev.agentkernel.api.ImagePullEvent;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events of one pull, kept until the request's thread sends them: the image service calls
 * {@link #onEvent} from the threads that fetch layers, which must not block on the client's
 * connection. Progress is coalesced per layer (the latest count wins) and sent at most every
 * {@link #PROGRESS_NANOS}; the other events are kept in order. Thread-safe. Package-private.
 */
final class PullEvents implements PullListener {

    /** Least time between two progress events of one layer. */
    static final long PROGRESS_NANOS = 250_000_000L;
    private final List<ImagePullEvent> pending = new ArrayList<>();
    private final Map<String, ImagePullEvent.Progress> progress = new LinkedHashMap<>();
    private final Map<String, Long> lastProgress = new LinkedHashMap<>();
    private boolean any;
    private boolean ended;

    @Override
    public synchronized void onEvent(PullEvent event) {
        switch (event) {
            case PullEvent.Resolved r -> pending.add(new ImagePullEvent.Resolved(r.reference().toString(), r.digest(),
                    r.layers()));
            case PullEvent.LayerProgress p -> progress.put(p.layer(),
                    new ImagePullEvent.Progress(p.layer(), p.bytesDone(), p.bytesTotal()));
            case PullEvent.LayerDone d -> {
                progress.remove(d.layer()); // the layer's end supersedes its progress
                pending.add(new ImagePullEvent.Layer(d.layer(), d.bytesFetched(), d.alreadyStored()));
            }
            case PullEvent.Completed c -> {
                // the request's thread sends done with the image the pull returns
            }
        }
        any = true;
        notifyAll();
    }

    /** The pull returned or failed: wakes the waiting request thread. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /**
     * Waits up to {@code millis} for an event or the end.
     *
     * @return whether an event arrived (ever)
     */
    synchronized boolean awaitAny(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!any && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return any;
    }

    /** Waits up to {@code millis} unless there is something to send or the pull ended. */
    synchronized void await(long millis) throws InterruptedException {
        if (pending.isEmpty() && !ended) {
            wait(millis);
        }
    }

    /**
     * The events to send now: the others in order, then each running layer's latest progress
     * unless one was sent within {@link #PROGRESS_NANOS} ({@code all}: regardless).
     */
    synchronized List<ImagePullEvent> drain(boolean all) {
        List<ImagePullEvent> out = new ArrayList<>(pending);
        pending.clear();
        long now = System.nanoTime();
        var it = progress.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            Long last = lastProgress.get(e.getKey());
            if (all || last == null || now - last >= PROGRESS_NANOS) {
                out.add(e.getValue());
                lastProgress.put(e.getKey(), now);
                it.remove();
            }
        }
        return out;
    }
}
