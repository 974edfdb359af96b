package dev.agentkernel.core.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one sandbox's control group is made: the directories to create and the limits to write,
 * in order. Either this process follows it ({@link #apply()}), or the launcher does, right
 * before it joins the group ({@link #launchArguments()}): a launcher that runs while the
 * recipe is followed spares the sandbox's start this process's file-system calls (a Java
 * {@code mkdir} or {@code write} on cgroupfs costs several times the C one) and overlaps them
 * with the user namespace's helper.
 *
 * @param steps what to do, in order
 */
public record CgroupRecipe(List<Step> steps) {

    public CgroupRecipe {
        steps = List.copyOf(steps);
    }

    /** One step of a recipe. */
    public sealed interface Step permits Make, Write {
    }

    /**
     * Creates {@code dir} (and its parent group when missing: the first sandbox under it).
     *
     * @param optional whether the group works without it (a hybrid host's v2 kill group, the
     *                 freezer): a failure to make it is then not the start's failure, and a process
     *                 joins it only if it is there
     */
    public record Make(Path dir, boolean optional) implements Step {
    }

    /** Writes {@code value} to {@code file} (a limit). */
    public record Write(Path file, String value) implements Step {
    }

    /**
     * Follows the recipe in this process.
     *
     * @throws dev.agentkernel.model.SandboxFailureException if a step that is not optional fails;
     *         nothing made is left behind then
     */
    public void apply() {
        List<Path> made = new ArrayList<>();
        try {
            for (Step step : steps) {
                switch (step) {
                    case Make(Path dir, boolean optional) -> {
                        try {
                            CgroupFiles.mkdirNew(dir);
                            made.add(dir);
                        } catch (RuntimeException e) {
                            if (!optional) {
                                throw e;
                            }
                        }
                    }
                    case Write(Path file, String value) -> CgroupFiles.write(file, value);
                }
            }
        } catch (RuntimeException e) {
            for (Path dir : made.reversed()) {
                CgroupFiles.rmdir(dir);
            }
            throw e;
        }
    }

    /**
     * The launcher's arguments that follow the recipe and then join every group it made
     * ({@code --cgroup-make[-optional] DIR}, {@code --cgroup-write FILE VALUE}, then
     * {@code --cgroup[-optional] DIR/cgroup.procs}).
     */
    public List<String> launchArguments() {
        List<String> args = new ArrayList<>();
        List<String> joins = new ArrayList<>();
        for (Step step : steps) {
            switch (step) {
                case Make(Path dir, boolean optional) -> {
                    args.addAll(List.of(optional ? "--cgroup-make-optional" : "--cgroup-make", dir.toString()));
                    joins.addAll(List.of(optional ? "--cgroup-optional" : "--cgroup",
                            dir.resolve("cgroup.procs").toString()));
                }
                case Write(Path file, String value) -> args.addAll(List.of("--cgroup-write", file.toString(), value));
            }
        }
        args.addAll(joins);
        return args;
    }
}
