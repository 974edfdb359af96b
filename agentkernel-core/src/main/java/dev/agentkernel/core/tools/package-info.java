/**
 * Tool libraries: Python and JavaScript modules in a configured directory that task and session
 * sandboxes see read-only at {@code /tools}, and their discovery (names, descriptions,
 * functions), cached until the directory changes.
 */
package dev.agentkernel.core.tools;
