package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.image.TestImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and forks through the SDK against a real daemon, on a real image from a registry on
 * loopback ({@link TestImages}): take, list, get, fork, create from a snapshot, restore, delete, with
 * the exceptions of a snapshot in use and an unknown one; the async client's calls.
 */
class SnapshotsIT extends DaemonTestBase {

    static String base;

    @BeforeAll
    static void images() throws Exception {
        DaemonFixture.assumeSandboxHost();
        TestImages images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
    }

    private String cat(String sandbox) {
        return client.execInSandbox(sandbox, List.of("cat", "/workspace/kept.txt"), ExecOptions.defaults()).stdout();
    }

    @Test
    void takeForkCreateRestoreAndDeleteThroughTheBlockingClient() {
        String src = uniqueName("snap");
        String snap = src + "-s";
        List<String> made = new ArrayList<>(List.of(src));
        List<String> snapshots = new ArrayList<>(List.of(snap));
        try {
            client.sandboxes().create(src, SandboxOptions.defaults().withImage(base));
            client.writeFile(src, "/workspace/kept.txt", "as taken\n");

            SnapshotInfo taken = client.snapshots().take(src, snap);
            assertThat(taken.name()).isEqualTo(snap);
            assertThat(taken.sandbox()).isEqualTo(src);
            assertThat(taken.image()).startsWith("agentkernel.local/snapshots:" + snap + "@sha256:");
            assertThat(taken.baseImage()).hasValueSatisfying(b -> assertThat(b).contains("test/base"));
            assertThat(taken.sizeBytes()).isPositive();
            assertThat(taken.createdAt()).isPresent();
            assertThat(client.snapshots().get(snap)).isEqualTo(taken);
            assertThat(client.snapshots().list()).contains(taken);
            client.writeFile(src, "/workspace/kept.txt", "later\n");

            ForkResult fork = client.sandboxes().fork(src, 2);
            fork.sandboxes().forEach(s -> made.add(s.name()));
            snapshots.add(fork.snapshot().name());
            assertThat(fork.sandboxes()).extracting(SandboxInfo::name).containsExactly(src + "-1", src + "-2");
            assertThat(fork.sandboxes()).allSatisfy(s -> assertThat(s.running()).isTrue());
            for (SandboxInfo s : fork.sandboxes()) {
                assertThat(cat(s.name())).as(s.name()).isEqualTo("later\n");
            }

            String child = src + "-c";
            made.add(child);
            SandboxInfo created = client.sandboxes().create(child, SandboxOptions.defaults().withSnapshot(snap));
            assertThat(created.image()).contains(taken.image());
            assertThat(cat(child)).isEqualTo("as taken\n");

            assertThat(client.snapshots().restore(snap).name()).isEqualTo(src);
            assertThat(cat(src)).isEqualTo("as taken\n");

            assertThatThrownBy(() -> client.snapshots().delete(snap)).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> client.snapshots().get(snap + "-none")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.sandboxes().create(src + "-x", SandboxOptions.defaults()
                    .withSnapshot(snap).withImage(base))).isInstanceOf(ValidationException.class);
        } finally {
            made.forEach(this::removeQuietly);
            snapshots.forEach(this::deleteQuietly);
        }
        assertThat(client.snapshots().list()).extracting(SnapshotInfo::name).doesNotContainAnyElementsOf(snapshots);
    }

    @Test
    void theAsyncClientTakesListsRestoresAndDeletes() throws Exception {
        String src = uniqueName("snapa");
        String snap = src + "-s";
        try {
            client.createSandbox(src, SandboxOptions.defaults().withImage(base));
            client.writeFile(src, "/workspace/kept.txt", "async\n");
            SnapshotInfo taken = async.takeSnapshot(src, Optional.of(snap)).get(60, TimeUnit.SECONDS);
            assertThat(async.listSnapshots().get(10, TimeUnit.SECONDS)).contains(taken);
            assertThat(async.getSnapshot(snap).get(10, TimeUnit.SECONDS)).isEqualTo(taken);
            client.writeFile(src, "/workspace/kept.txt", "changed\n");
            assertThat(async.restoreSnapshot(snap, Optional.empty()).get(60, TimeUnit.SECONDS).name()).isEqualTo(src);
            assertThat(cat(src)).isEqualTo("async\n");
            client.removeSandbox(src);
            async.deleteSnapshot(snap).get(30, TimeUnit.SECONDS);
            assertThat(async.getSnapshot(snap)).failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(NotFoundException.class);
        } finally {
            removeQuietly(src);
            deleteQuietly(snap);
        }
    }

    private void removeQuietly(String sandbox) {
        try {
            client.removeSandbox(sandbox);
        } catch (NotFoundException e) {
            // gone already
        }
    }

    private void deleteQuietly(String snapshot) {
        try {
            client.deleteSnapshot(snapshot);
        } catch (NotFoundException e) {
            // gone already
        }
    }
}
