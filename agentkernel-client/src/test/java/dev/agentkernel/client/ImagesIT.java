package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.TestImages;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's {@link Images} against a real daemon and a real registry on loopback (Debian's
 * docker-registry, {@link TestImages}): a pull with its progress, the list, removal, and the
 * exceptions of a bad reference, an unknown image and a removed one.
 */
class ImagesIT extends DaemonTestBase {

    static TestImages images;

    @BeforeAll
    static void images() throws Exception {
        DaemonFixture.assumeSandboxHost();
        images = TestImages.get();
    }

    @Test
    void pullReportsProgressThenListAndRemove() {
        String derived = images.ref(images.plain, "test/derived:1");
        List<ImagePullEvent> events = Collections.synchronizedList(new ArrayList<>());
        ImageInfo image = client.images().pull(derived, PullPolicy.ALWAYS, events::add);
        assertThat(image.reference()).isEqualTo(derived);
        assertThat(image.digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(image.layers()).isEqualTo(4);
        assertThat(image.size()).isPositive();
        assertThat(image.platform()).startsWith("linux/");
        assertThat(image.storedAt()).isPresent();

        assertThat(events.getFirst()).isEqualTo(new ImagePullEvent.Resolved(derived, image.digest(), 4));
        assertThat(events.stream().filter(ImagePullEvent.LayerDone.class::isInstance)).hasSize(4);

        // Stored now: the default policy fetches nothing and reports no layer.
        List<ImagePullEvent> again = new ArrayList<>();
        assertThat(client.images().pull(derived, PullPolicy.MISSING, again::add).digest()).isEqualTo(image.digest());
        assertThat(again).isEmpty();
        assertThat(client.images().pull(derived)).isEqualTo(image);

        assertThat(client.images().list()).contains(image);
        client.images().remove(derived);
        assertThat(client.images().list()).extracting(ImageInfo::reference).doesNotContain(derived);
        assertThatThrownBy(() -> client.images().remove(derived)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining(derived);
    }

    @Test
    void theAsyncClientPullsListsAndRemovesToo() throws Exception {
        String base = images.ref(images.plain, "test/base:1");
        List<ImagePullEvent> events = Collections.synchronizedList(new ArrayList<>());
        ImageInfo image = async.pullImage(base, PullPolicy.ALWAYS, events::add).get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(image.reference()).isEqualTo(base);
        assertThat(events.getFirst()).isInstanceOf(ImagePullEvent.Resolved.class);
        assertThat(async.listImages().get(10, java.util.concurrent.TimeUnit.SECONDS)).contains(image);
        async.removeImage(base).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(async.listImages().get(10, java.util.concurrent.TimeUnit.SECONDS)).extracting(ImageInfo::reference)
                .doesNotContain(base);
        assertThat(async.removeImage(base)).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(NotFoundException.class);
    }

    @Test
    void mistakesAreTypedExceptions() {
        assertThatThrownBy(() -> client.images().pull("Bad Name:!")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("Bad Name:!");
        String unknown = images.ref(images.plain, "test/nosuch:1");
        assertThatThrownBy(() -> client.images().pull(unknown)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining(unknown);
        String base = images.ref(images.plain, "test/base:1");
        try {
            client.images().remove(base); // the daemon is shared: another class's sandboxes may have pulled it
        } catch (NotFoundException notStored) {
            // as expected
        }
        assertThatThrownBy(() -> client.images().pull(base, PullPolicy.NEVER, ImagePullListener.NONE))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.images().remove("tool@sha256:abc")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("digest");
    }
}
