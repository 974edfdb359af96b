package dev.agentkernel.core.detect;

import java.util.Objects;

/**
 * The outcome of image auto-detection.
 *
 * @param image    the image to start the sandbox from, e.g. {@code python:3.12-alpine}
 * @param language the {@link Language#id() id} of the detected language, e.g. {@code python};
 *                 for an image taken from the configuration, the id of the language whose image it
 *                 is, or {@link #CUSTOM_LANGUAGE} when it is no image of the table
 * @param source   which rule of the detection order produced it
 */
public record Detection(String image, String language, Source source) {

    /** The language reported for a configured image that belongs to no language of the table. */
    public static final String CUSTOM_LANGUAGE = "custom";

    /** The rules of auto-detection, in the order they are tried. */
    public enum Source {
        /** The command being run, e.g. {@code python3 script.py}. */
        COMMAND,
        /** A project file in the project directory, e.g. {@code Cargo.toml} or {@code *.tf}. */
        PROJECT_FILE,
        /** A process command of the project's Heroku-style {@code Procfile}. */
        PROCFILE,
        /** The {@code [sandbox] base_image} of the project's {@code agentkernel.toml}. */
        CONFIG
    }

    /** Validates the fields. @throws IllegalArgumentException for a blank image or language */
    public Detection {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(source, "source");
        if (image.isBlank()) {
            throw new IllegalArgumentException("a detected image must not be blank");
        }
        if (language.isBlank()) {
            throw new IllegalArgumentException("a detected language must not be blank");
        }
    }
}
