package dev.agentkernel.core.detect;

import java.util.List;
import java.util.Optional;

/**
 * The languages auto-detection knows, with their project files, commands and image: the
 * "Supported Languages" table of the product, row for row and in the same order.
 *
 * <p>The declaration order is the precedence of project-file detection: when a directory
 * holds project files of several languages (say {@code pyproject.toml} and a
 * {@code Makefile}), the language declared first wins (Python).
 *
 * <p>A project-file pattern is either an exact, case-sensitive file name such as
 * {@code Cargo.toml} or a {@code *}-glob such as {@code *.tf}. As in a shell, a glob does not
 * match names starting with a dot, so {@code .profile.sh} is not a shell project file.
 */
public enum Language {
    /** JavaScript and TypeScript, on Node.js. */
    JAVASCRIPT("javascript", "JavaScript/TypeScript", "node:22-alpine",
            List.of("package.json", "yarn.lock", "pnpm-lock.yaml"),
            List.of("node", "npm", "npx", "yarn", "pnpm", "bun")),
    /** Python. */
    PYTHON("python", "Python", "python:3.12-alpine",
            List.of("pyproject.toml", "requirements.txt", "Pipfile"),
            List.of("python", "python3", "pip", "poetry", "uv")),
    /** Rust. */
    RUST("rust", "Rust", "rust:1.85-alpine", List.of("Cargo.toml"), List.of("cargo", "rustc")),
    /** Go. */
    GO("go", "Go", "golang:1.23-alpine", List.of("go.mod"), List.of("go", "gofmt")),
    /** Ruby. */
    RUBY("ruby", "Ruby", "ruby:3.3-alpine", List.of("Gemfile"), List.of("ruby", "bundle", "rails")),
    /** Java. */
    JAVA("java", "Java", "eclipse-temurin:21-alpine", List.of("pom.xml", "build.gradle"),
            List.of("java", "mvn", "gradle")),
    /** Kotlin, on the same JDK image as Java; detected from project files only. */
    KOTLIN("kotlin", "Kotlin", "eclipse-temurin:21-alpine", List.of("*.kt"), List.of()),
    /** C# and the other .NET languages. */
    DOTNET("dotnet", "C# / .NET", "mcr.microsoft.com/dotnet/sdk:8.0", List.of("*.csproj", "*.sln"),
            List.of("dotnet")),
    /** C and C++. */
    C_CPP("c", "C/C++", "gcc:14-bookworm", List.of("Makefile", "CMakeLists.txt"),
            List.of("gcc", "g++", "make", "cmake")),
    /** PHP. */
    PHP("php", "PHP", "php:8.3-alpine", List.of("composer.json"), List.of("php", "composer")),
    /** Elixir. */
    ELIXIR("elixir", "Elixir", "elixir:1.16-alpine", List.of("mix.exs"), List.of("elixir", "mix")),
    /** Lua. */
    LUA("lua", "Lua", "nickblah/lua:5.4-alpine", List.of("*.lua"), List.of("lua", "luajit")),
    /** HCL and Terraform. */
    TERRAFORM("terraform", "HCL/Terraform", "hashicorp/terraform:1.10", List.of("*.tf", "*.tfvars"),
            List.of("terraform")),
    /** POSIX shell scripts, on plain Alpine. */
    SHELL("shell", "Shell", "alpine:3.20", List.of("*.sh"), List.of("bash", "sh", "zsh"));

    private final String id;
    private final String displayName;
    private final String image;
    private final List<String> projectFiles;
    private final List<String> commands;

    Language(String id, String displayName, String image, List<String> projectFiles, List<String> commands) {
        this.id = id;
        this.displayName = displayName;
        this.image = image;
        this.projectFiles = projectFiles;
        this.commands = commands;
    }

    /** The short lower-case name reported in {@link Detection#language()}, e.g. {@code python}. */
    public String id() {
        return id;
    }

    /** The name shown to people, e.g. {@code JavaScript/TypeScript}. */
    public String displayName() {
        return displayName;
    }

    /** The image a sandbox for this language starts from. */
    public String image() {
        return image;
    }

    /** The project-file patterns: exact file names or {@code *}-globs such as {@code *.csproj}. */
    public List<String> projectFiles() {
        return projectFiles;
    }

    /** The command names (without directory or version) that identify this language; may be empty. */
    public List<String> commands() {
        return commands;
    }

    /** Whether {@code fileName} (a bare name, no directory) matches one of this language's project files. */
    public boolean matchesProjectFile(String fileName) {
        for (String pattern : projectFiles) {
            if (pattern.startsWith("*")) {
                if (!fileName.startsWith(".") && fileName.endsWith(pattern.substring(1))) {
                    return true;
                }
            } else if (pattern.equals(fileName)) {
                return true;
            }
        }
        return false;
    }

    /** The language listing {@code commandName} exactly (no directory, no version suffix), if any. */
    public static Optional<Language> forCommandName(String commandName) {
        for (Language language : values()) {
            if (language.commands.contains(commandName)) {
                return Optional.of(language);
            }
        }
        return Optional.empty();
    }

    /** The first language, in table order, whose image is exactly {@code image}, if any. */
    public static Optional<Language> forImage(String image) {
        for (Language language : values()) {
            if (language.image.equals(image)) {
                return Optional.of(language);
            }
        }
        return Optional.empty();
    }
}
