package dev.agentkernel.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullListener;
import dev.agentkernel.image.PullPolicy;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CountedImageServiceTest {

    /** What was counted, as "METRIC labels amount". */
    private final List<String> counted = new ArrayList<>();
    private final Metrics metrics = new Metrics() {
        @Override
        public void count(Metric metric, double amount, String... labelValues) {
            counted.add(metric.name() + " " + String.join(",", labelValues) + " " + (long) amount);
        }

        @Override
        public void time(Metric metric, java.time.Duration duration, String... labelValues) {
        }

        @Override
        public void sample(Metric metric, Supplier<Map<List<String>, ? extends Number>> values) {
        }
    };

    /** An image service whose resolve sends {@code events} and then returns null or throws. */
    private static ImageService resolving(List<PullEvent> events, RuntimeException failure) {
        return (ImageService) Proxy.newProxyInstance(ImageService.class.getClassLoader(), new Class<?>[] {ImageService.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("resolve")) {
                        PullListener listener = (PullListener) args[2];
                        events.forEach(listener::onEvent);
                        if (failure != null) {
                            throw failure;
                        }
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aPullThatAskedTheRegistryCountsWithItsBytesAndTheListenerStillHearsEverything() {
        List<PullEvent> heard = new ArrayList<>();
        List<PullEvent> events = List.of(new PullEvent.Resolved(ImageReference.parse("alpine:3.20"), "sha256:" + "a".repeat(64), 2),
                new PullEvent.LayerDone("l1", 1000, false), new PullEvent.LayerDone("l2", 0, true));
        new CountedImageService(resolving(events, null), metrics).resolve("alpine:3.20", PullPolicy.ALWAYS, heard::add);
        assertThat(heard).isEqualTo(events);
        assertThat(counted).containsExactly("IMAGE_PULLS ok 1", "IMAGE_PULL_BYTES  1000");
    }

    @Test
    void anImageServedFromTheStoreCountsNothingAndAFailureCountsAsAFailedPull() {
        Image none = new CountedImageService(resolving(List.of(), null), metrics).resolve("alpine:3.20", PullPolicy.MISSING,
                e -> { });
        assertThat(none).isNull();
        assertThat(counted).isEmpty();
        IllegalStateException boom = new IllegalStateException("registry down");
        assertThatThrownBy(() -> new CountedImageService(resolving(List.of(), boom), metrics)
                .resolve("alpine:3.20", PullPolicy.ALWAYS, e -> { })).isSameAs(boom);
        assertThat(counted).containsExactly("IMAGE_PULLS error 1");
    }
}
