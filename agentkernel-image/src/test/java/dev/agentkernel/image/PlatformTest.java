package dev.agentkernel.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.oci.OciDocuments;
import dev.agentkernel.image.oci.OciFormatException;
import dev.agentkernel.image.oci.Platform;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlatformTest {

    private static final String INDEX = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":1,
              "platform":{"os":"linux","architecture":"arm","variant":"v7"}},
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":1,
              "platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":1,
              "platform":{"os":"linux","architecture":"amd64"}},
             {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":1,
              "platform":{"os":"unknown","architecture":"unknown"}}]}
            """.formatted("1".repeat(64), "2".repeat(64), "3".repeat(64), "4".repeat(64));

    @Test
    void selectsTheHostPlatformFromAnIndex() {
        var index = OciDocuments.index(INDEX.getBytes(StandardCharsets.UTF_8));
        assertThat(index.select(new Platform("linux", "amd64", "")).digest().hex()).isEqualTo("3".repeat(64));
        assertThat(index.select(new Platform("linux", "arm64", "v8")).digest().hex()).isEqualTo("2".repeat(64));
        assertThat(index.select(Platform.parse("linux/arm64")).digest().hex()).isEqualTo("2".repeat(64));
        assertThatThrownBy(() -> index.select(Platform.parse("linux/s390x"))).isInstanceOf(OciFormatException.class)
                .hasMessageContaining("linux/s390x").hasMessageContaining("linux/arm64/v8");
    }

    @Test
    void refusesSchemaOneManifests() {
        assertThatThrownBy(() -> OciDocuments.kindOf(null, "{\"schemaVersion\":1,\"fsLayers\":[]}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("schema 1");
    }
}
