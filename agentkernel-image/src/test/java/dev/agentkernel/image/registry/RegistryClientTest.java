package dev.agentkernel.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryClientTest {

    @Test
    void parsesBearerChallenges() {
        var p = RegistryClient.parseChallenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"");
        assertThat(p).containsEntry("", "Bearer").containsEntry("realm", "https://auth.docker.io/token")
                .containsEntry("service", "registry.docker.io")
                .containsEntry("scope", "repository:library/busybox:pull");
        assertThat(RegistryClient.parseChallenge("Basic realm=\"x, y\"")).containsEntry("", "Basic")
                .containsEntry("realm", "x, y");
    }

    @Test
    void loopbackRegistriesMayUsePlainHttp() {
        assertThat(RegistryClient.isLoopback("localhost:5000")).isTrue();
        assertThat(RegistryClient.isLoopback("127.0.0.1:5000")).isTrue();
        assertThat(RegistryClient.isLoopback("[::1]:5000")).isTrue();
        assertThat(RegistryClient.isLoopback("docker.io")).isFalse();
        assertThat(RegistryClient.isLoopback("10.0.0.1:5000")).isFalse();
    }
}
