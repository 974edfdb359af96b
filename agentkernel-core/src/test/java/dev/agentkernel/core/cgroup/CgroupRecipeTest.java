package dev.agentkernel.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox's group as a recipe: preparing it makes nothing; the launcher's arguments make the
 * groups, write the limits and join every group made, in that order; following it here skips an
 * optional group that cannot be made and leaves nothing behind when a step that is not optional fails.
 */
class CgroupRecipeTest {

    private static final ResourceLimits LIMITS = new ResourceLimits(256, 0.5, 64, 32);

    @TempDir
    Path tmp;

    private Path group(FakeCgroupTree tree, String controller, String name) {
        return tree.root.resolve(controller).resolve(CgroupDriver.PARENT).resolve(name);
    }

    @Test
    void preparingMakesNothingAndTheLauncherMakesWritesThenJoins() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v1();
        FakeCgroupTree.file(tree.root.resolve("unified/cgroup.kill"), "");
        FakeCgroupTree.file(tree.root.resolve("memory/memory.memsw.limit_in_bytes"), "");
        CgroupDriver driver = CgroupDriver.detect(tree.root).driver();

        CgroupDriver.Prepared prepared = driver.prepare("g", LIMITS);

        Path memory = group(tree, "memory", "g");
        Path pids = group(tree, "pids", "g");
        Path cpu = group(tree, "cpu", "g");
        Path unified = group(tree, "unified", "g");
        assertThat(memory).doesNotExist();
        String bytes = Long.toString(256L * 1024 * 1024);
        assertThat(prepared.recipe().launchArguments()).containsExactly(
                "--cgroup-make", memory.toString(),
                "--cgroup-write", memory.resolve("memory.limit_in_bytes").toString(), bytes,
                "--cgroup-write", memory.resolve("memory.memsw.limit_in_bytes").toString(), bytes,
                "--cgroup-make", pids.toString(),
                "--cgroup-write", pids.resolve("pids.max").toString(), "64",
                "--cgroup-make", cpu.toString(),
                "--cgroup-write", cpu.resolve("cpu.cfs_quota_us").toString(), "50000",
                "--cgroup-make-optional", unified.toString(),
                "--cgroup", memory.resolve("cgroup.procs").toString(),
                "--cgroup", pids.resolve("cgroup.procs").toString(),
                "--cgroup", cpu.resolve("cgroup.procs").toString(),
                "--cgroup-optional", unified.resolve("cgroup.procs").toString());
        assertThat(prepared.group().procsFiles()).containsExactly(memory.resolve("cgroup.procs"),
                pids.resolve("cgroup.procs"), cpu.resolve("cgroup.procs"), unified.resolve("cgroup.procs"));
    }

    @Test
    void anOptionalGroupThatCannotBeMadeIsSkipped() throws Exception {
        Path made = tmp.resolve("made");
        Path blocked = tmp.resolve("file-not-dir");
        Files.writeString(blocked, "");
        CgroupRecipe recipe = new CgroupRecipe(List.of(new CgroupRecipe.Make(made, false),
                new CgroupRecipe.Make(blocked.resolve("g"), true)));

        recipe.apply();

        assertThat(made).isDirectory();
    }

    @Test
    void aFailingStepLeavesNothingBehind() {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        CgroupRecipe recipe = new CgroupRecipe(List.of(new CgroupRecipe.Make(first, false),
                new CgroupRecipe.Make(second, false), new CgroupRecipe.Write(second.resolve("no-such-limit"), "1")));

        assertThatThrownBy(recipe::apply).isInstanceOf(SandboxFailureException.class).hasMessageContaining("no-such-limit");

        assertThat(Files.exists(first, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(second, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
