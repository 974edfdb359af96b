/**
 * Image auto-detection: picks the image a sandbox should start from, without being told.
 *
 * <p>{@link dev.agentkernel.core.detect.ImageDetector} tries, in this order, the command
 * being run, the project files in the project directory, the project's {@code Procfile},
 * and finally the {@code [sandbox] base_image} of the project's configuration. The table
 * of languages, project files, commands and images is {@link dev.agentkernel.core.detect.Language}.
 * Detection only ever lists the project directory itself and reads its {@code Procfile};
 * it never recurses, never follows symbolic links and never fails: what it cannot read it
 * ignores.
 */
package dev.agentkernel.core.detect;
