package dev.agentkernel.core.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeMountTest {

    @Test
    void theClientsFormatIsParsed() {
        assertThat(VolumeMount.parse("data:/data")).isEqualTo(new VolumeMount("data", "/data", false));
        assertThat(VolumeMount.parse("data:/mnt/x/:ro")).isEqualTo(new VolumeMount("data", "/mnt/x", true));
        assertThat(VolumeMount.parse("data://a//b:rw")).isEqualTo(new VolumeMount("data", "/a/b", false));
        assertThat(VolumeMount.parse("data:/data:ro")).hasToString("data:/data:ro");
        assertThat(VolumeMount.parse("v:/workspace/sub").path()).isEqualTo("/workspace/sub");
    }

    @Test
    void badEntriesAndForbiddenPathsAreRefused() {
        for (String bad : List.of("", "data", ":/d", "da ta:/d", "data:d", "data:/", "data:/proc", "data:/proc/1",
                "data:/sys", "data:/dev/shm", "data:/run", "data:/run/x", "data:/.ak", "data:/.ak-session",
                "data:/workspace", "data:/tmp/", "data:/var/tmp", "data:/a/../b", "data:/a/./b", "data:/d:rx",
                "data:/d:ro:ro")) {
            assertThatThrownBy(() -> VolumeMount.parse(bad)).as("'%s'", bad).isInstanceOf(InvalidRequestException.class);
        }
        assertThatThrownBy(() -> VolumeMount.parse("data:/run/x")).hasMessageContaining("staged");
    }

    @Test
    void aPathIsUsedOnce() {
        assertThat(VolumeMount.parseAll(List.of("a:/x", "a:/y:ro"))).hasSize(2);
        assertThat(VolumeMount.parseAll(null)).isEmpty();
        assertThatThrownBy(() -> VolumeMount.parseAll(List.of("a:/x", "b:/x/:ro")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/x");
    }
}
