package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading a pull's event stream: progress to the listener, done as the image, error as the typed exception. */
class ImagePullStreamTest {

    static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void progressGoesToTheListenerAndDoneIsTheImage() {
        List<ImagePullEvent> seen = new ArrayList<>();
        ImageInfo image = ImagePullStream.read(stream("""
                event: resolved
                data: {"reference":"docker.io/library/busybox:1","digest":"sha256:abc","layers":1}

                : keep-alive

                event: progress
                data: {"layer":"sha256:l1","bytes_done":5,"bytes_total":10}

                event: layer
                data: {"layer":"sha256:l1","bytes_fetched":10,"already_stored":false}

                event: future
                data: {}

                event: done
                data: {"image":{"reference":"docker.io/library/busybox:1","digest":"sha256:abc","platform":"linux/amd64","size":10,"layers":1,"stored_at":"2026-01-02T03:04:05Z"}}

                """), "pull", seen::add);
        assertThat(seen).containsExactly(new ImagePullEvent.Resolved("docker.io/library/busybox:1", "sha256:abc", 1),
                new ImagePullEvent.Progress("sha256:l1", 5, 10), new ImagePullEvent.LayerDone("sha256:l1", 10, false));
        assertThat(image.reference()).isEqualTo("docker.io/library/busybox:1");
        assertThat(image.size()).isEqualTo(10);
        assertThat(image.storedAt()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("2026-01-02T03:04:05Z"));
    }

    @Test
    void anErrorEventIsTheExceptionOfItsCode() {
        assertThatThrownBy(() -> ImagePullStream.read(stream("""
                event: error
                data: {"message":"image x was not found","code":"not_found"}

                """), "pull", ImagePullListener.NONE)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("image x was not found");
        assertThatThrownBy(() -> ImagePullStream.read(stream("""
                event: error
                data: {"message":"cannot reach the registry","code":"image_unavailable"}

                """), "pull", ImagePullListener.NONE)).isInstanceOf(ServerException.class)
                .hasMessageContaining("cannot reach the registry");
    }

    @Test
    void aStreamWithoutItsEndOrWithBadDataFails() {
        assertThatThrownBy(() -> ImagePullStream.read(stream("event: layer\ndata: {\"layer\":\"sha256:l1\"}\n\n"),
                "pull", ImagePullListener.NONE)).isInstanceOf(ConnectionException.class).hasMessageContaining("ended");
        assertThatThrownBy(() -> ImagePullStream.read(stream("event: done\ndata: {\"image\": 5}\n\n"), "pull",
                ImagePullListener.NONE)).isInstanceOf(ServerException.class).hasMessageContaining("malformed");
    }
}
