package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.PermissionDeniedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flavors, host capacity, volume mappings and session settings (from the environment too). */
class SessionSettingsTest {

    @TempDir
    Path dir;

    @Test
    void flavorsHaveTheirSizesAndNames() {
        assertThat(Flavor.SMALL.cpus()).isEqualTo(1);
        assertThat(Flavor.SMALL.memoryMb()).isEqualTo(1024);
        assertThat(Flavor.MEDIUM.cpus()).isEqualTo(2);
        assertThat(Flavor.MEDIUM.memoryMb()).isEqualTo(2048);
        assertThat(Flavor.LARGE.cpus()).isEqualTo(4);
        assertThat(Flavor.LARGE.memoryMb()).isEqualTo(4096);
        assertThat(Flavor.fromName(" Medium ")).isEqualTo(Flavor.MEDIUM);
        assertThatThrownBy(() -> Flavor.fromName("xl")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("unknown flavor 'xl' (expected small, medium or large)");
    }

    @Test
    void aFlavorBiggerThanTheHostIsRefusedWithTheFlavorsThatFit() {
        HostCapacity twoCpus = new HostCapacity(2, 24_000);
        twoCpus.requireFits(Flavor.SMALL);
        twoCpus.requireFits(Flavor.MEDIUM);
        assertThatThrownBy(() -> twoCpus.requireFits(Flavor.LARGE)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("flavor large needs 4 CPUs and 4096 MB of memory, but this host has 2 CPUs and 24000 MB; "
                        + "use small or medium");
        HostCapacity tiny = new HostCapacity(1, 512);
        assertThatThrownBy(() -> tiny.requireFits(Flavor.SMALL)).hasMessageEndingWith("this host has 1 CPU and 512 MB");
    }

    @Test
    void hostMemoryIsReadFromMeminfo() throws IOException {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:       24683504 kB\nMemFree: 1 kB\n");
        assertThat(HostCapacity.memTotalMb(meminfo)).isEqualTo(24683504 / 1024);
        assertThat(HostCapacity.memTotalMb(dir.resolve("missing"))).isGreaterThan(1L << 40);
    }

    @Test
    void volumeMappingsAreParsedAndNormalized() {
        assertThat(VolumeMapping.parse("/srv/data:/data")).isEqualTo(new VolumeMapping(Path.of("/srv/data"), "/data", false));
        assertThat(VolumeMapping.parse("/srv/data:/data:ro").readOnly()).isTrue();
        assertThat(VolumeMapping.parse("/srv/data:/data:rw").readOnly()).isFalse();
        assertThat(VolumeMapping.parse("/srv/data://mnt/./in/").sandboxPath()).isEqualTo("/mnt/in");
        assertThat(VolumeMapping.parse("/srv/data:/data:ro")).hasToString("/srv/data:/data:ro");
        for (String bad : List.of("", "/only", "a:b:c:d", "/x:/y:rx", ":/data", "/x:", "relative:/data", "/x:relative",
                "/x:/a/../b")) {
            assertThatThrownBy(() -> VolumeMapping.parse(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void aVolumeMayNotCoverTheSandboxsSystemDirectories() {
        for (String target : List.of("/", "/etc", "/etc/x", "/proc", "/usr/lib", "/dev", "/sys/fs", "/tmp", "/var",
                "/.ak", "/.ak-session", "//etc", "/./usr")) {
            assertThatThrownBy(() -> VolumeMapping.parse("/srv:" + target)).as(target)
                    .isInstanceOf(PermissionDeniedException.class);
        }
        assertThat(VolumeMapping.parse("/srv:/tmp/in").sandboxPath()).isEqualTo("/tmp/in");
        assertThat(VolumeMapping.parse("/srv:/workspace").sandboxPath()).isEqualTo("/workspace");
    }

    @Test
    void aVolumeMountsOnlyAllowedHostDirectories() throws IOException {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path other = Files.createDirectories(dir.resolve("other"));
        HostMountPolicy policy = new HostMountPolicy(List.of(allowed), List.of(dir.resolve("state")));
        assertThat(VolumeMapping.parse(allowed + ":/data:ro").toMount(policy).hostPath()).isEqualTo(allowed.toRealPath());
        assertThatThrownBy(() -> VolumeMapping.parse(other + ":/data").toMount(policy))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("--allow-dir");
        assertThatThrownBy(() -> VolumeMapping.parse(allowed.resolve("missing") + ":/data").toMount(policy))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> VolumeMapping.parse("/etc:/data").toMount(policy))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void settingsComeFromTheEnvironment() {
        SessionSettings s = SessionSettings.fromEnvironment(Map.of(
                "AGENTKERNEL_MAX_SESSIONS", "3",
                "AGENTKERNEL_MAX_TOTAL_MEMORY_MB", "4096",
                "AGENTKERNEL_SESSION_TIMEOUT", "60",
                "AGENTKERNEL_DEFAULT_FLAVOR", "medium",
                "AGENTKERNEL_SESSION_EVICTION", "off",
                "AGENTKERNEL_SHARED_VOLUME_PATH", "[\"/srv/a:/a\", \"/srv/b:/b:ro\"]",
                "AGENTKERNEL_DISABLE_POOLING", "1"), SessionSettings.defaults());
        assertThat(s.maxSessions()).isEqualTo(3);
        assertThat(s.maxTotalMemoryMb()).isEqualTo(4096);
        assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.defaultFlavor()).isEqualTo(Flavor.MEDIUM);
        assertThat(s.evictIdle()).isFalse();
        assertThat(s.volumes()).extracting(VolumeMapping::toString).containsExactly("/srv/a:/a", "/srv/b:/b:ro");
        assertThat(s.poolPerTemplate()).isZero();
        assertThat(SessionSettings.fromEnvironment(Map.of("AGENTKERNEL_SHARED_VOLUME_PATH", "/srv/a:/a, /srv/b:/b"),
                SessionSettings.defaults()).volumes()).hasSize(2);
        assertThat(SessionSettings.fromEnvironment(Map.of(), SessionSettings.defaults())).isEqualTo(SessionSettings.defaults());
    }

    @Test
    void badEnvironmentValuesNameTheirVariable() {
        for (Map.Entry<String, String> bad : List.of(Map.entry("AGENTKERNEL_MAX_SESSIONS", "many"),
                Map.entry("AGENTKERNEL_MAX_SESSIONS", "0"), Map.entry("AGENTKERNEL_MAX_TOTAL_MEMORY_MB", "10"),
                Map.entry("AGENTKERNEL_SESSION_TIMEOUT", "-5"), Map.entry("AGENTKERNEL_DEFAULT_FLAVOR", "giant"),
                Map.entry("AGENTKERNEL_SESSION_EVICTION", "maybe"), Map.entry("AGENTKERNEL_SHARED_VOLUME_PATH", "[1]"),
                Map.entry("AGENTKERNEL_SHARED_VOLUME_PATH", "[\"/a"), Map.entry("AGENTKERNEL_SHARED_VOLUME_PATH", "nope"))) {
            assertThatThrownBy(() -> SessionSettings.fromEnvironment(Map.ofEntries(bad), SessionSettings.defaults()))
                    .as("%s", bad).isInstanceOf(InvalidRequestException.class).hasMessageContaining(bad.getKey());
        }
    }

    @Test
    void settingsAreValidated() {
        SessionSettings d = SessionSettings.defaults();
        assertThatThrownBy(() -> d.withMaxSessions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxTotalMemoryMb(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withSessionTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPoolPerTemplate(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
