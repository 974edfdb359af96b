package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.api.ImagePullEvent;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.PullEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a pull's events wait for the request thread: order kept, progress coalesced and throttled per layer. */
class PullEventsTest {

    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);

    @Test
    void eventsKeepTheirOrderAndALayersEndSupersedesItsProgress() {
        PullEvents events = new PullEvents();
        events.onEvent(new PullEvent.Resolved(ImageReference.parse("busybox"), "sha256:" + "c".repeat(64), 2));
        events.onEvent(new PullEvent.LayerProgress(A, 10, 100));
        events.onEvent(new PullEvent.LayerProgress(A, 60, 100));
        events.onEvent(new PullEvent.LayerProgress(B, 5, 50));
        events.onEvent(new PullEvent.LayerDone(A, 100, false));
        List<ImagePullEvent> drained = events.drain(false);
        assertThat(drained).containsExactly(
                new ImagePullEvent.Resolved("docker.io/library/busybox:latest", "sha256:" + "c".repeat(64), 2),
                new ImagePullEvent.Layer(A, 100, false),
                new ImagePullEvent.Progress(B, 5, 50));
        assertThat(events.drain(true)).isEmpty();
    }

    @Test
    void progressOfOneLayerIsSentAtMostEveryQuarterSecondUnlessAllIsAskedFor() {
        PullEvents events = new PullEvents();
        events.onEvent(new PullEvent.LayerProgress(A, 1, 100));
        assertThat(events.drain(false)).containsExactly(new ImagePullEvent.Progress(A, 1, 100));
        events.onEvent(new PullEvent.LayerProgress(A, 2, 100));
        events.onEvent(new PullEvent.LayerProgress(A, 3, 100));
        assertThat(events.drain(false)).as("within the quarter second").isEmpty();
        assertThat(events.drain(true)).containsExactly(new ImagePullEvent.Progress(A, 3, 100));
    }

    @Test
    void theWaitEndsWithTheFirstEventOrTheEnd() throws InterruptedException {
        PullEvents quiet = new PullEvents();
        quiet.end();
        assertThat(quiet.awaitAny(10_000)).as("ended without events").isFalse();
        PullEvents busy = new PullEvents();
        Thread.ofVirtual().start(() -> busy.onEvent(new PullEvent.LayerProgress(A, 1, 2)));
        assertThat(busy.awaitAny(10_000)).isTrue();
    }
}
