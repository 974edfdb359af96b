package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Secrets through the SDK against a real daemon: sync and async sub-clients, no value in any answer, the errors. */
class SecretsIT extends DaemonTestBase {

    @Test
    void setListGetReplaceAndRemoveThroughTheSdk() {
        String name = "SDK_SECRET_" + ProcessHandle.current().pid();
        String value = "sdk-value-" + System.nanoTime();
        SecretInfo created = client.secrets().set(name, value);
        try {
            assertThat(created.name()).isEqualTo(name);
            assertThat(created.createdAt()).isPresent().isEqualTo(created.updatedAt());
            assertThat(client.secrets().list()).extracting(SecretInfo::name).contains(name);
            assertThat(async.secrets().get(name).join()).isEqualTo(created);
            assertThat(created.toString()).doesNotContain(value);

            SecretInfo replaced = async.secrets().set(name, value + "-2").join();
            assertThat(replaced.createdAt()).isEqualTo(created.createdAt());
            assertThat(replaced.updatedAt().orElseThrow()).isAfterOrEqualTo(created.updatedAt().orElseThrow());

            assertThatThrownBy(() -> client.secrets().set("1_NOT_A_NAME", "v")).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("invalid secret name").hasMessageNotContaining("\"v\"");
            assertThatThrownBy(() -> client.secrets().get("NO_SUCH_SECRET_" + ProcessHandle.current().pid()))
                    .isInstanceOf(NotFoundException.class);
        } finally {
            client.secrets().remove(name);
        }
        assertThatThrownBy(() -> client.secrets().get(name)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> async.secrets().remove(name).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotFoundException.class);
    }
}
