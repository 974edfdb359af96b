/**
 * The project configuration file, {@code agentkernel.toml}: its data
 * ({@link dev.agentkernel.core.config.ProjectConfig}) and its loading and validation
 * ({@link dev.agentkernel.core.config.ConfigLoader}). Every setting is optional; what is
 * absent is decided elsewhere (profile defaults, auto-detection). Keys and sections this
 * version does not know are ignored, so a file written for a newer version still loads.
 */
package dev.agentkernel.core.config;
