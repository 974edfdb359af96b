package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Named volumes through the SDK against a real daemon: sync and async sub-clients, a shared file, the errors. */
class VolumesIT extends DaemonTestBase {

    @Test
    void aVolumeSharedByTwoSandboxesThroughTheSdk() {
        String volume = uniqueName("sdk-vol");
        String writer = uniqueName("sdk-vw");
        String reader = uniqueName("sdk-vr");
        VolumeInfo created = client.volumes().create(volume, 32);
        try {
            assertThat(created.sizeMb()).isEqualTo(32);
            assertThat(created.mounts()).isEmpty();
            assertThatThrownBy(() -> client.volumes().create(volume)).isInstanceOf(ConflictException.class);

            SandboxInfo w = client.createSandbox(writer, SandboxOptions.defaults(), List.of(volume + ":/v"));
            assertThat(w.volumes()).containsExactly(volume + ":/v");
            client.execInSandbox(writer, List.of("sh", "-c", "echo shared > /v/f"));
            async.createSandbox(reader, SandboxOptions.defaults(), List.of(volume + ":/v:ro")).join();
            RunResult read = client.execInSandbox(reader, List.of("sh", "-c", "cat /v/f; touch /v/g || echo refused"));
            assertThat(read.output()).startsWith("shared\n").endsWith("refused\n");

            VolumeInfo shown = async.volumes().get(volume).join();
            assertThat(shown.inUse()).isEqualTo(2);
            assertThat(shown.mounts()).contains(new VolumeInfo.Mount(reader, "/v", true),
                    new VolumeInfo.Mount(writer, "/v", false));
            assertThat(client.volumes().list()).extracting(VolumeInfo::name).contains(volume);
            assertThatThrownBy(() -> client.volumes().remove(volume, true)).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> client.createSandbox(uniqueName("sdk-vx"), SandboxOptions.defaults(),
                    List.of(volume + ":/proc"))).isInstanceOf(ValidationException.class);
        } finally {
            for (String name : List.of(writer, reader)) {
                try {
                    client.removeSandbox(name);
                } catch (NotFoundException e) {
                    // not created
                }
            }
        }
        client.volumes().remove(volume);
        assertThatThrownBy(() -> client.volumes().get(volume)).isInstanceOf(NotFoundException.class);
    }
}
