package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The completion scripts: bash's is valid and completes commands, options, option values,
 * sandbox names (from a stand-in for {@code agentkernel list --names}) and copy paths; zsh's is
 * generated from the same commands (and valid, where zsh is installed).
 */
class CompletionCommandTest {

    @TempDir
    Path dir;

    private Path script;
    private Path fakeCli;

    @BeforeEach
    void scripts() throws IOException {
        assumeTrue(onPath("bash"), "needs bash");
        ClientCommandsTest.Result r = ClientCommandsTest.run("completion", "bash");
        assertThat(r.code()).isZero();
        script = Files.writeString(dir.resolve("agentkernel.bash"), r.out());
        // What completion runs for sandbox names: "$0 list --names".
        fakeCli = dir.resolve("agentkernel");
        Files.writeString(fakeCli, "#!/bin/sh\n[ \"$1 $2\" = \"list --names\" ] && printf 'web\\nworker\\ndb\\n'\n"
                + "[ \"$1 $2 $3\" = \"sessions list --ids\" ] && printf 'ses-1\\nses-2\\n'\n"
                + "[ \"$1 $2 $3\" = \"task list --ids\" ] && printf 'task-1\\ntask-2\\n'\n"
                + "[ \"$1 $2\" = \"tools --names\" ] && printf 'finance\\nstats\\n'\nexit 0\n");
        Files.setPosixFilePermissions(fakeCli, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs bash with the script loaded and {@code words} as the line (the last one is being completed). */
    private List<String> complete(String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append(" '").append(w.replace("'", "'\\''")).append('\'');
        }
        String program = "source '" + script + "'; COMP_WORDS=('" + fakeCli + "'" + array + "); COMP_CWORD=" + words.length
                + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; cd '" + dir + "'; _agentkernel; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"";
        String out = bash(program);
        return out.lines().filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static String bash(String program) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    @Test
    void theBashScriptIsValid() throws Exception {
        bash("bash -n '" + script + "'");
        assertThat(Files.readString(script)).contains("complete -F _agentkernel agentkernel");
    }

    @Test
    void subcommandsComplete() throws Exception {
        assertThat(complete("cr")).containsExactly("create");
        assertThat(complete("s")).containsExactly("secret", "serve", "sessions", "setup", "snapshot", "start", "status", "stop");
        assertThat(complete("snapshot", "r")).containsExactlyInAnyOrder("rm", "restore");
        assertThat(complete("secret", "")).containsExactlyInAnyOrder("set", "ls", "rm");
        assertThat(complete("")).contains("attach", "cp", "exec", "list", "remove", "completion", "agents", "audit", "help");
    }

    @Test
    void optionsAndTheirValuesComplete() throws Exception {
        assertThat(complete("create", "--pro")).containsExactly("--profile");
        assertThat(complete("create", "box", "--profile", "r")).containsExactly("restrictive");
        assertThat(complete("run", "--profile", "")).containsExactly("moderate", "permissive", "restrictive");
        assertThat(complete("exec", "-")).contains("-e", "--env", "-w", "--workdir", "--timeout", "--url", "--help");
        assertThat(complete("list", "--")).containsExactly("--help", "--json", "--names", "--url");
        assertThat(complete("daemon", "st")).containsExactly("start", "status", "stop");
        assertThat(complete("completion", "")).containsExactly("bash", "zsh");
        Files.createDirectory(dir.resolve("project"));
        assertThat(complete("create", "box", "--dir", "pro")).containsExactly("project");
    }

    @Test
    void sandboxNamesComplete() throws Exception {
        assertThat(complete("start", "w")).containsExactly("web", "worker");
        assertThat(complete("remove", "web", "")).containsExactly("db", "web", "worker");
        assertThat(complete("attach", "d")).containsExactly("db");
        assertThat(complete("exec", "-e", "A=1", "w")).as("an option's value is no positional").containsExactly("web", "worker");
        assertThat(complete("audit", "-s", "")).containsExactly("db", "web", "worker");
        assertThat(complete("create", "")).as("a new name").isEmpty();
        assertThat(complete("attach", "web", "")).as("after the name comes a command, not a name")
                .doesNotContain("worker");
    }

    @Test
    void codeSessionsComplete() throws Exception {
        assertThat(complete("code", "-t", "")).containsExactly("bash", "node", "python");
        assertThat(complete("repl", "--template", "n")).containsExactly("node");
        assertThat(complete("repl", "--flavor", "")).containsExactly("large", "medium", "small");
        assertThat(complete("code", "-s", "")).containsExactly("ses-1", "ses-2");
        assertThat(complete("code", "--ke")).containsExactly("--keep");
        Files.writeString(dir.resolve("script.py"), "print(1)");
        assertThat(complete("code", "-f", "scr")).containsExactly("script.py");
        assertThat(complete("sessions", "")).containsExactly("list", "pause", "resume", "rm", "show", "stats");
        assertThat(complete("sessions", "rm", "")).containsExactly("ses-1", "ses-2");
        assertThat(complete("sessions", "show", "ses-1", "")).isEmpty();
        assertThat(complete("sessions", "--")).containsExactly("--help", "--ids", "--json", "--url");
    }

    @Test
    void tasksAndToolsComplete() throws Exception {
        assertThat(complete("t")).containsExactly("task", "tools");
        assertThat(complete("task", "")).containsExactly("cancel", "dispatch", "list", "status", "wait");
        assertThat(complete("task", "wait", "")).containsExactly("task-1", "task-2");
        assertThat(complete("task", "cancel", "task-")).containsExactly("task-1", "task-2");
        assertThat(complete("task", "wait", "--timeout", "5", "")).containsExactly("task-1", "task-2");
        assertThat(complete("task", "dispatch", "")).as("dispatch takes code, not an id").isEmpty();
        assertThat(complete("task", "status", "task-1", "")).isEmpty();
        assertThat(complete("task", "dispatch", "--tool", "")).containsExactly("finance", "stats");
        assertThat(complete("task", "dispatch", "-t", "")).containsExactly("bash", "node", "python");
        assertThat(complete("task", "--wa")).containsExactly("--wait");
        assertThat(complete("tools", "--")).containsExactly("--clear-cache", "--help", "--json", "--names", "--url");
    }

    @Test
    void copyCompletesSandboxesWithAColonAndLocalFiles() throws Exception {
        Files.writeString(dir.resolve("wfile.txt"), "x");
        assertThat(complete("cp", "w")).containsExactly("web:", "wfile.txt", "worker:");
    }

    @Test
    void theZshScriptHasEveryCommand() throws Exception {
        ClientCommandsTest.Result r = ClientCommandsTest.run("completion", "zsh");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("#compdef agentkernel\n").contains("compdef _agentkernel agentkernel")
                .contains("'create:Create and start a persistent sandbox'")
                .contains("'--profile[Security profile: permissive, moderate (default), restrictive]:PROFILE:(permissive moderate restrictive)'")
                .contains("'1:sandbox:_agentkernel_sandboxes'")
                .contains("'2:session:_agentkernel_sessions'")
                .contains(":TEMPLATE:(python node bash)'").contains(":FLAVOR:(small medium large)'")
                .contains(":ID:_agentkernel_sessions'").contains("'*'{-v,--volume}");
        for (Subcommand c : Main.subcommands()) {
            assertThat(r.out()).contains("\n    " + c.name() + ")\n");
        }
        if (onPath("zsh")) {
            Path zsh = Files.writeString(dir.resolve("_agentkernel"), r.out());
            Process p = new ProcessBuilder("zsh", "-n", zsh.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
        }
    }

    static boolean onPath(String program) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/bin"));
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }
}
