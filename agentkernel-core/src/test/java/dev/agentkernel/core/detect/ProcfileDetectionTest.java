package dev.agentkernel.core.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcfileDetectionTest {

    @Test
    void processLinesAreSplitIntoCommands() {
        assertThat(Procfile.commands("""
                web: bundle exec rails server -p $PORT
                worker:python manage.py runworker
                  clock : FOO=1 BAR="a b" clockwork config/clock.rb
                """)).containsExactly(
                List.of("bundle", "exec", "rails", "server", "-p", "$PORT"),
                List.of("python", "manage.py", "runworker"),
                List.of("clockwork", "config/clock.rb"));
    }

    @Test
    void commentsBlankLinesAndOtherLinesAreIgnored() {
        assertThat(Procfile.commands("""
                # web: python app.py

                just some text
                : no name
                web:
                empty: FOO=1
                web.1: node x
                release: ./bin/release
                """)).containsExactly(List.of("./bin/release"));
        assertThat(Procfile.commands("")).isEmpty();
    }

    @Test
    void windowsLineEndingsAreAccepted() {
        assertThat(Procfile.commands("web: node server.js\r\nworker: ruby w.rb\r\n"))
                .containsExactly(List.of("node", "server.js"), List.of("ruby", "w.rb"));
    }

    @Test
    void quotedWordsFollowShellRules() {
        assertThat(ShellWords.split("  'a b'  \"c \\\" d\" e\\ f g'h'\"i\" ''  ")).containsExactly(
                "a b", "c \" d", "e f", "ghi", "");
        assertThat(ShellWords.split("'unterminated quote")).containsExactly("unterminated quote");
        assertThat(ShellWords.split("\"unterminated")).containsExactly("unterminated");
        assertThat(ShellWords.split("trailing\\")).containsExactly("trailing");
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    @Test
    void onlyTheStartOfAHugeProcfileIsRead(@TempDir Path dir) throws IOException {
        String filler = "# " + "x".repeat(ProjectDirectory.MAX_PROCFILE_BYTES) + "\n";
        Files.writeString(dir.resolve("Procfile"), "web: node a\n" + filler + "worker: python b\n");
        String text = new ProjectDirectory(dir).procfileText().orElseThrow();
        assertThat(text).hasSize(ProjectDirectory.MAX_PROCFILE_BYTES).startsWith("web: node a");
    }

    @Test
    void envCommandsAreFoundAfterOptionsAndAssignments() {
        assertThat(EnvCommand.commandOf(List.of("-i", "A=1", "python3", "-u"))).containsExactly("python3", "-u");
        assertThat(EnvCommand.commandOf(List.of("--ignore-environment", "--null", "-v", "x"))).containsExactly("x");
        assertThat(EnvCommand.commandOf(List.of("-a", "name", "--argv0=n", "-P", "/bin", "y"))).containsExactly("y");
        assertThat(EnvCommand.commandOf(List.of("-S", "-i A=1 python3 -u", "file"))).containsExactly(
                "python3", "-u", "file");
        assertThat(EnvCommand.commandOf(List.of("--split-string"))).isEmpty();
        assertThat(EnvCommand.commandOf(List.of())).isEmpty();
    }
}
