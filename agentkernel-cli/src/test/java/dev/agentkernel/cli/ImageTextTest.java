package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.PullEvent;
import dev.agentkernel.image.PullPolicy;
import dev.agentkernel.model.InvalidRequestException;
import org.junit.jupiter.api.Test;

/** How the image commands print sizes, digests and layers, and the policies 'pull' takes. */
class ImageTextTest {

    private static final String DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void sizesInDecimalUnits() {
        assertThat(ImageText.size(0)).isEqualTo("0 B");
        assertThat(ImageText.size(999)).isEqualTo("999 B");
        assertThat(ImageText.size(1_234)).isEqualTo("1.2 kB");
        assertThat(ImageText.size(34_500_000)).isEqualTo("34.5 MB");
        assertThat(ImageText.size(345_000_000)).isEqualTo("345 MB");
        assertThat(ImageText.size(2_000_000_000_000_000L)).isEqualTo("2000 TB");
    }

    @Test
    void shortDigests() {
        assertThat(ImageText.shortDigest(DIGEST)).isEqualTo("0123456789ab");
    }

    @Test
    void layerLines() {
        assertThat(PullCommand.layerLine(new PullEvent.LayerDone(DIGEST, 2_500_000, false), null))
                .isEqualTo("0123456789ab  2.5 MB  pulled");
        assertThat(PullCommand.layerLine(new PullEvent.LayerDone(DIGEST, 0, false), 1_000L))
                .isEqualTo("0123456789ab  1.0 kB  pulled");
        assertThat(PullCommand.layerLine(new PullEvent.LayerDone(DIGEST, 0, false), null))
                .isEqualTo("0123456789ab  pulled");
        assertThat(PullCommand.layerLine(new PullEvent.LayerDone(DIGEST, 0, true), null))
                .isEqualTo("0123456789ab  already stored");
    }

    @Test
    void pullTakesMissingOrAlways() {
        assertThat(PullCommand.policy("missing")).isEqualTo(PullPolicy.MISSING);
        assertThat(PullCommand.policy("Always")).isEqualTo(PullPolicy.ALWAYS);
        assertThatThrownBy(() -> PullCommand.policy("never")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("missing or always");
        assertThatThrownBy(() -> PullCommand.policy("sometimes")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'sometimes'");
    }
}
