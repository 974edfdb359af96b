package dev.agentkernel.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.core.detect.Detection.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ImageDetectorTest {

    private final ImageDetector detector = new ImageDetector();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "command {0} -> {2}")
    @CsvSource({
            "node, javascript, node:22-alpine",
            "npm, javascript, node:22-alpine",
            "npx, javascript, node:22-alpine",
            "yarn, javascript, node:22-alpine",
            "pnpm, javascript, node:22-alpine",
            "bun, javascript, node:22-alpine",
            "python, python, python:3.12-alpine",
            "python3, python, python:3.12-alpine",
            "pip, python, python:3.12-alpine",
            "poetry, python, python:3.12-alpine",
            "uv, python, python:3.12-alpine",
            "cargo, rust, rust:1.85-alpine",
            "rustc, rust, rust:1.85-alpine",
            "go, go, golang:1.23-alpine",
            "gofmt, go, golang:1.23-alpine",
            "ruby, ruby, ruby:3.3-alpine",
            "bundle, ruby, ruby:3.3-alpine",
            "rails, ruby, ruby:3.3-alpine",
            "java, java, eclipse-temurin:21-alpine",
            "mvn, java, eclipse-temurin:21-alpine",
            "gradle, java, eclipse-temurin:21-alpine",
            "dotnet, dotnet, mcr.microsoft.com/dotnet/sdk:8.0",
            "gcc, c, gcc:14-bookworm",
            "g++, c, gcc:14-bookworm",
            "make, c, gcc:14-bookworm",
            "cmake, c, gcc:14-bookworm",
            "php, php, php:8.3-alpine",
            "composer, php, php:8.3-alpine",
            "elixir, elixir, elixir:1.16-alpine",
            "mix, elixir, elixir:1.16-alpine",
            "lua, lua, nickblah/lua:5.4-alpine",
            "luajit, lua, nickblah/lua:5.4-alpine",
            "terraform, terraform, hashicorp/terraform:1.10",
            "bash, shell, alpine:3.20",
            "sh, shell, alpine:3.20",
            "zsh, shell, alpine:3.20",
    })
    void everyCommandOfTheTableIsDetected(String command, String language, String image) throws IOException {
        Files.writeString(dir.resolve("Cargo.toml"), "");
        assertThat(detector.detect(List.of(command, "arg"), dir, Optional.empty()))
                .contains(new Detection(image, language, Source.COMMAND));
        assertThat(detector.detectFromCommand(List.of(command)))
                .contains(new Detection(image, language, Source.COMMAND));
    }

    @ParameterizedTest(name = "project file {0} -> {2}")
    @CsvSource({
            "package.json, javascript, node:22-alpine",
            "yarn.lock, javascript, node:22-alpine",
            "pnpm-lock.yaml, javascript, node:22-alpine",
            "pyproject.toml, python, python:3.12-alpine",
            "requirements.txt, python, python:3.12-alpine",
            "Pipfile, python, python:3.12-alpine",
            "Cargo.toml, rust, rust:1.85-alpine",
            "go.mod, go, golang:1.23-alpine",
            "Gemfile, ruby, ruby:3.3-alpine",
            "pom.xml, java, eclipse-temurin:21-alpine",
            "build.gradle, java, eclipse-temurin:21-alpine",
            "Main.kt, kotlin, eclipse-temurin:21-alpine",
            "App.csproj, dotnet, mcr.microsoft.com/dotnet/sdk:8.0",
            "App.sln, dotnet, mcr.microsoft.com/dotnet/sdk:8.0",
            "Makefile, c, gcc:14-bookworm",
            "CMakeLists.txt, c, gcc:14-bookworm",
            "composer.json, php, php:8.3-alpine",
            "mix.exs, elixir, elixir:1.16-alpine",
            "init.lua, lua, nickblah/lua:5.4-alpine",
            "main.tf, terraform, hashicorp/terraform:1.10",
            "prod.tfvars, terraform, hashicorp/terraform:1.10",
            "build.sh, shell, alpine:3.20",
    })
    void everyProjectFileOfTheTableIsDetected(String file, String language, String image) throws IOException {
        Files.writeString(dir.resolve(file), "");
        Files.writeString(dir.resolve("README.md"), "");
        assertThat(detector.detect(List.of("./run-tests"), dir, Optional.empty()))
                .contains(new Detection(image, language, Source.PROJECT_FILE));
    }

    @Test
    void theProgramIsTheLastSegmentOfItsPath() {
        assertThat(detector.detectFromCommand(List.of("/usr/bin/python3", "-c", "print(1)")))
                .map(Detection::language).contains("python");
        assertThat(detector.detectFromCommand(List.of("./node_modules/.bin/npx"))).map(Detection::language)
                .contains("javascript");
        assertThat(detector.detectFromCommand(List.of("/usr/bin/"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "python3.12, python", "/usr/local/bin/python3.12, python", "pip3, python", "pip3.12, python",
            "gcc-14, c", "g++-14, c", "lua5.4, lua", "luajit-2.1, lua", "ruby3.3, ruby", "go1.23, go",
    })
    void versionedProgramNamesAreDetected(String program, String language) {
        assertThat(detector.detectFromCommand(List.of(program))).map(Detection::language).contains(language);
    }

    @ParameterizedTest
    @CsvSource({"3.12", "pythonista", "py", "python-config", "my-python", "npm-run-all", "nodemon", "Python"})
    void namesThatOnlyResembleACommandAreNotDetected(String program) {
        assertThat(detector.detectFromCommand(List.of(program))).isEmpty();
    }

    @Test
    void envIsLookedThrough() {
        assertThat(language("env", "python3", "x.py")).contains("python");
        assertThat(language("/usr/bin/env", "-i", "PATH=/bin", "FOO=a=b", "node", "app.js")).contains("javascript");
        assertThat(language("env", "-u", "HOME", "--unset=TERM", "--chdir", "/src", "-C/tmp", "cargo", "test"))
                .contains("rust");
        assertThat(language("env", "-iuHOME", "ruby")).contains("ruby");
        assertThat(language("env", "-", "go", "build")).contains("go");
        assertThat(language("env", "--", "LANG=C", "make")).contains("c");
        assertThat(language("env", "-S", "python3 -u", "script.py")).contains("python");
        assertThat(language("env", "-SFOO='1 2' 'bash' -x")).contains("shell");
        assertThat(language("env", "--split-string=-i mix test")).contains("elixir");
        assertThat(language("env", "env", "-i", "env", "FOO=1", "php")).contains("php");
    }

    @Test
    void envWithoutACommandOrWithAnUnknownOneIsNotDetected() {
        assertThat(language("env")).isEmpty();
        assertThat(language("env", "-i", "FOO=1")).isEmpty();
        assertThat(language("env", "-u")).isEmpty();
        assertThat(language("env", "FOO=1", "-i", "python3")).as("options end at the first assignment").isEmpty();
        assertThat(language("env", "unknown-tool", "python3")).isEmpty();
    }

    @Test
    void deeplyNestedEnvIsGivenUpOn() {
        String[] argv = new String[100_001];
        Arrays.fill(argv, "env");
        argv[argv.length - 1] = "python3";
        assertThat(language(argv)).isEmpty();
    }

    @Test
    void unknownOrMissingCommandsAreNotDetected() {
        assertThat(detector.detectFromCommand(List.of())).isEmpty();
        assertThat(detector.detectFromCommand(List.of("unknown-command", "python3"))).isEmpty();
        assertThat(detector.detectFromCommand(List.of(""))).isEmpty();
    }

    @Test
    void theCommandWinsOverEverythingElse() throws IOException {
        Files.writeString(dir.resolve("package.json"), "{}");
        Files.writeString(dir.resolve("Procfile"), "web: bundle exec rails s\n");
        assertThat(detector.detect(List.of("python3"), dir, Optional.of(configWithImage("ubuntu:24.04"))))
                .contains(new Detection("python:3.12-alpine", "python", Source.COMMAND));
    }

    @Test
    void projectFilesWinOverTheProcfileAndTheConfig() throws IOException {
        Files.writeString(dir.resolve("go.mod"), "module x\n");
        Files.writeString(dir.resolve("Procfile"), "web: bundle exec rails s\n");
        assertThat(detector.detect(List.of("./server"), dir, Optional.of(configWithImage("ubuntu:24.04"))))
                .contains(new Detection("golang:1.23-alpine", "go", Source.PROJECT_FILE));
    }

    @Test
    void theProcfileWinsOverTheConfig() throws IOException {
        Files.writeString(dir.resolve("Procfile"), "web: bundle exec rails server -p $PORT\n"
                + "worker: python manage.py runworker\n");
        assertThat(detector.detect(List.of(), dir, Optional.of(configWithImage("ubuntu:24.04"))))
                .contains(new Detection("ruby:3.3-alpine", "ruby", Source.PROCFILE));
    }

    @Test
    void theFirstKnownProcfileCommandWins() throws IOException {
        Files.writeString(dir.resolve("Procfile"), """
                # processes
                release: ./bin/migrate

                web: PORT=8080 node server.js
                worker: python manage.py runworker
                """);
        assertThat(detector.detect(List.of(), dir, Optional.empty()))
                .contains(new Detection("node:22-alpine", "javascript", Source.PROCFILE));
    }

    @Test
    void aProcfileWithoutKnownCommandsFallsThroughToTheConfig() throws IOException {
        Files.writeString(dir.resolve("Procfile"), "web: ./bin/server\nnot a process line\n");
        assertThat(detector.detect(List.of(), dir, Optional.of(configWithImage("postgres:16-alpine"))))
                .contains(new Detection("postgres:16-alpine", Detection.CUSTOM_LANGUAGE, Source.CONFIG));
    }

    @Test
    void aProcfileThatIsADirectoryOrALinkIsIgnored() throws IOException {
        Path elsewhere = Files.writeString(Files.createTempFile(dir.getParent(), "procfile", ""), "web: python x\n");
        try {
            Files.createSymbolicLink(dir.resolve("Procfile"), elsewhere);
            assertThat(detector.detect(List.of(), dir, Optional.empty())).isEmpty();
            Files.delete(dir.resolve("Procfile"));
            Files.createDirectory(dir.resolve("Procfile"));
            assertThat(detector.detect(List.of(), dir, Optional.empty())).isEmpty();
        } finally {
            Files.delete(elsewhere);
        }
    }

    @Test
    void theConfigIsTheLastResort() {
        assertThat(detector.detect(List.of("./script"), dir, Optional.of(configWithImage("python:3.12-alpine"))))
                .contains(new Detection("python:3.12-alpine", "python", Source.CONFIG));
        assertThat(detector.detect(List.of(), dir, Optional.of(configWithImage("eclipse-temurin:21-alpine"))))
                .contains(new Detection("eclipse-temurin:21-alpine", "java", Source.CONFIG));
        assertThat(detector.detect(List.of(), dir, Optional.of(ProjectConfig.empty()))).isEmpty();
    }

    @Test
    void severalLanguagesResolveInTableOrder() throws IOException {
        Files.writeString(dir.resolve("Makefile"), "");
        Files.writeString(dir.resolve("deploy.sh"), "");
        Files.writeString(dir.resolve("pyproject.toml"), "");
        assertThat(detect()).map(Detection::language).contains("python");

        Files.writeString(dir.resolve("package.json"), "{}");
        assertThat(detect()).map(Detection::language).contains("javascript");
    }

    @Test
    void javaWinsOverKotlinAndCOverShell() throws IOException {
        Files.writeString(dir.resolve("Main.kt"), "");
        Files.writeString(dir.resolve("pom.xml"), "");
        assertThat(detect()).map(Detection::language).contains("java");

        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("run.sh"), "");
        Files.writeString(other.resolve("CMakeLists.txt"), "");
        assertThat(detector.detect(List.of(), other, Optional.empty())).map(Detection::language).contains("c");
    }

    @Test
    void onlyDirectEntriesThatAreNotDirectoriesCount() throws IOException {
        Files.createDirectories(dir.resolve("backend").resolve("Cargo.toml"));
        Files.writeString(dir.resolve("backend").resolve("go.mod"), "");
        Files.createDirectory(dir.resolve("package.json"));
        Files.createDirectory(dir.resolve("scripts.sh"));
        assertThat(detect()).isEmpty();
    }

    @Test
    void globsDoNotMatchHiddenFilesButExactNamesNeedTheExactCase() throws IOException {
        Files.writeString(dir.resolve(".profile.sh"), "");
        Files.writeString(dir.resolve("makefile"), "");
        Files.writeString(dir.resolve("cargo.toml"), "");
        Files.writeString(dir.resolve("notes.tf.bak"), "");
        assertThat(detect()).isEmpty();
    }

    @Test
    void anEmptyDirectoryDetectsNothing() {
        assertThat(detect()).isEmpty();
    }

    @Test
    void aMissingDirectoryOrAFileDetectsNothing() throws IOException {
        assertThat(detector.detect(List.of(), dir.resolve("missing"), Optional.empty())).isEmpty();
        Path file = Files.writeString(dir.resolve("package.json"), "{}");
        assertThat(detector.detect(List.of(), file, Optional.empty())).isEmpty();
        assertThat(detector.detect(List.of(), dir.resolve("missing"), Optional.of(configWithImage("alpine:3.20"))))
                .contains(new Detection("alpine:3.20", "shell", Source.CONFIG));
    }

    @Test
    void anUnreadableDirectoryDetectsNothing() throws IOException {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.writeString(locked.resolve("package.json"), "{}");
        Files.writeString(locked.resolve("Procfile"), "web: node x\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(locked), "permissions are not enforced for this user (root)");
            assertThat(detector.detect(List.of(), locked, Optional.empty())).isEmpty();
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> detector.detect(null, dir, Optional.empty())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> detector.detect(List.of(), null, Optional.empty()))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void everyLanguageHasAnImageAndSomethingToDetectItBy(Language language) {
        assertThat(language.image()).isNotBlank();
        assertThat(language.id()).matches("[a-z]+");
        assertThat(language.projectFiles()).isNotEmpty();
        assertThat(Language.forImage(language.image())).isPresent();
        language.commands().forEach(c -> assertThat(Language.forCommandName(c)).contains(language));
    }

    @Test
    void detectionsRejectBlankFields() {
        assertThatThrownBy(() -> new Detection(" ", "python", Source.COMMAND))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Detection("python:3.12-alpine", "", Source.COMMAND))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Optional<Detection> detect() {
        return detector.detect(List.of(), dir, Optional.empty());
    }

    private Optional<String> language(String... argv) {
        return detector.detectFromCommand(List.of(argv)).map(Detection::language);
    }

    private static ProjectConfig configWithImage(String image) {
        ProjectConfig empty = ProjectConfig.empty();
        return new ProjectConfig(new ProjectConfig.SandboxSection(Optional.empty(), Optional.of(image)),
                empty.agent(), empty.resources(), empty.security());
    }
}
