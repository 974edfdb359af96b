package dev.agentkernel.core.detect;

import dev.agentkernel.core.config.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Picks the image for a sandbox, trying these rules in order and stopping at the first
 * that gives an answer:
 *
 * <ol>
 *   <li><b>Command</b>: the program of {@code argv} (its last path segment, with a trailing
 *       version such as {@code 3.12} ignored if needed, looking through {@code env} and its
 *       options and assignments) is a command of a {@link Language}.</li>
 *   <li><b>Project files</b>: a direct entry of the project directory matches a project file
 *       of a language; when several languages match, the one first in {@link Language}'s
 *       table order wins. Entries that are directories do not count.</li>
 *   <li><b>Procfile</b>: a process command of the directory's {@code Procfile}, in file
 *       order, starts with a known command (same rules as for {@code argv}).</li>
 *   <li><b>Config</b>: the configuration's {@code [sandbox] base_image}.</li>
 * </ol>
 *
 * <p>Only the project directory's direct entries are looked at, and only the
 * {@code Procfile} is read (see {@link ProjectDirectory}); a missing or unreadable
 * directory just matches nothing. Stateless and thread-safe.
 */
public final class ImageDetector {

    /** Creates a detector. */
    public ImageDetector() {
    }

    /**
     * Detects the image for running {@code argv} in {@code projectDir}.
     *
     * @param argv       the command to run; may be empty (e.g. for a sandbox created without one)
     * @param projectDir the project directory; need not exist or be readable
     * @param config     the project's configuration, if it has one
     * @return the detection, or empty if no rule gives an answer
     * @throws NullPointerException if an argument or an element of {@code argv} is null
     */
    public Optional<Detection> detect(List<String> argv, Path projectDir, Optional<ProjectConfig> config) {
        Objects.requireNonNull(projectDir, "projectDir");
        Objects.requireNonNull(config, "config");
        ProjectDirectory directory = new ProjectDirectory(projectDir);
        return detectFromCommand(argv)
                .or(() -> fromProjectFiles(directory))
                .or(() -> fromProcfile(directory))
                .or(() -> fromConfig(config));
    }

    /**
     * Detects the image from the command alone (rule 1), without looking at any directory:
     * for callers such as a server that must not read the host's file system.
     *
     * @param argv the command to run; may be empty
     * @return the detection, or empty if the program is not in the table
     * @throws NullPointerException if {@code argv} or one of its elements is null
     */
    public Optional<Detection> detectFromCommand(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        return CommandMatcher.match(List.copyOf(argv)).map(language -> detection(language, Detection.Source.COMMAND));
    }

    private static Optional<Detection> fromProjectFiles(ProjectDirectory directory) {
        Language best = null;
        for (String name : directory.entryNames()) {
            for (Language language : Language.values()) {
                if (best != null && language.ordinal() >= best.ordinal()) {
                    break;
                }
                if (language.matchesProjectFile(name) && !directory.isDirectory(name)) {
                    best = language;
                    break;
                }
            }
        }
        return Optional.ofNullable(best).map(language -> detection(language, Detection.Source.PROJECT_FILE));
    }

    private static Optional<Detection> fromProcfile(ProjectDirectory directory) {
        return directory.procfileText().stream()
                .flatMap(text -> Procfile.commands(text).stream())
                .flatMap(command -> CommandMatcher.match(command).stream())
                .findFirst()
                .map(language -> detection(language, Detection.Source.PROCFILE));
    }

    private static Optional<Detection> fromConfig(Optional<ProjectConfig> config) {
        return config.flatMap(c -> c.sandbox().baseImage())
                .map(image -> new Detection(image,
                        Language.forImage(image).map(Language::id).orElse(Detection.CUSTOM_LANGUAGE),
                        Detection.Source.CONFIG));
    }

    private static Detection detection(Language language, Detection.Source source) {
        return new Detection(language.image(), language.id(), source);
    }
}
