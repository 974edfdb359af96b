package dev.agentkernel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesConfigTest {

    @TempDir
    Path state;

    private Path write(String toml) throws Exception {
        return Files.writeString(state.resolve(RegistriesConfig.FILE_NAME), toml);
    }

    @Test
    void mirrorsPlainHttpAndCredentialsFromAVariable() throws Exception {
        write("""
                [registries."docker.io"]
                mirrors = ["http://mirror.lan:5000", "cache.internal"]

                [registries."registry.internal:5000"]
                plain_http = true
                username = "ci"
                password_env = "REG_TOKEN"
                """);
        RegistriesConfig config = RegistriesConfig.forHost(state, Map.of("REG_TOKEN", "s3cret"));
        assertThat(config.registries().keySet()).containsExactly("docker.io", "registry.internal:5000");
        assertThat(config.registries().get("docker.io")).isEqualTo(new RegistriesConfig.Registry(
                List.of("http://mirror.lan:5000", "cache.internal"), false, Optional.empty(), Optional.empty()));
        assertThat(config.registries().get("registry.internal:5000")).isEqualTo(new RegistriesConfig.Registry(
                List.of(), true, Optional.of("ci"), Optional.of("s3cret")));
    }

    @Test
    void noFileIsNoConfigurationButANamedFileMustExist() {
        assertThat(RegistriesConfig.forHost(state, Map.of()).registries()).isEmpty();
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of(RegistriesConfig.FILE_ENV,
                state.resolve("nope.toml").toString()))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("nope.toml");
    }

    @Test
    void mistakesNameTheFileTheRegistryAndTheKey() throws Exception {
        write("[registries.\"docker.io\"]\nmirror = [\"x\"]\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(RegistriesConfig.FILE_NAME).hasMessageContaining("[docker.io] mirror")
                .hasMessageContaining("mirrors, plain_http");
        write("[registries.\"docker.io\"]\nmirrors = \"http://m\"\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of()))
                .hasMessageContaining("mirrors must be a list of strings");
        write("[registries.\"r:5000\"]\nusername = \"ci\"\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of()))
                .hasMessageContaining("password_env is needed too");
        write("[registries.\"r:5000\"]\nusername = \"ci\"\npassword_env = \"UNSET_VAR\"\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of()))
                .hasMessageContaining("UNSET_VAR, which is not set");
        write("[mirrors]\nx = 1\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of()))
                .hasMessageContaining("unknown table or key 'mirrors'");
        write("[registries.\"r\"\n");
        assertThatThrownBy(() -> RegistriesConfig.forHost(state, Map.of())).hasMessageContaining("invalid TOML");
    }
}
