package dev.agentkernel.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    private static final String D = "sha256:" + "a".repeat(64);

    @ParameterizedTest
    @CsvSource({
        "python:3.12-alpine, docker.io/library/python:3.12-alpine",
        "python, docker.io/library/python:latest",
        "ubuntu:24.04, docker.io/library/ubuntu:24.04",
        "user/tool, docker.io/user/tool:latest",
        "docker.io/python, docker.io/library/python:latest",
        "index.docker.io/library/busybox:1, docker.io/library/busybox:1",
        "localhost/tool, localhost/tool:latest",
        "localhost:5000/team/tool:1, localhost:5000/team/tool:1",
        "127.0.0.1:5000/a/b/c:v1.0_x, 127.0.0.1:5000/a/b/c:v1.0_x",
        "ghcr.io/org/img:tag, ghcr.io/org/img:tag",
        "Registry/img, Registry/img:latest",
        "[::1]:5000/img:2, [::1]:5000/img:2",
        "my-registry.example.com:443/a__b/c--d.e:x, my-registry.example.com:443/a__b/c--d.e:x",
    })
    void normalisesAsDockerDoes(String input, String expected) {
        assertThat(ImageReference.parse(input).toString()).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void digestsAndTagsWithDigests() {
        ImageReference byDigest = ImageReference.parse("busybox@" + D);
        assertThat(byDigest.toString()).isEqualTo("docker.io/library/busybox@" + D);
        assertThat(byDigest.tag()).isNull();
        assertThat(byDigest.manifestKey()).isEqualTo(D);
        ImageReference both = ImageReference.parse("localhost:5000/x:1@" + D);
        assertThat(both.tag()).isEqualTo("1");
        assertThat(both.manifestKey()).isEqualTo(D);
        assertThat(both.registry()).isEqualTo("localhost:5000");
        assertThat(both.repository()).isEqualTo("x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Python", "docker.io/Library/x", "a//b", "x:", "x:-bad", "x@sha256:abc",
        "x@md5:" + "a", "bad host!/x", "x y", "-x", "a/.b", "localhost:port/x", "x:" + "t"
            + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesBadInputWithAClearMessage(String input) {
        assertThatThrownBy(() -> ImageReference.parse(input)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("image reference");
    }
}
