/**
 * Background tasks: code dispatched to run in a fresh sandbox while the caller does other
 * things, with a bounded number of workers, a queue, timeouts, cancellation that kills the
 * task's processes, retries for infrastructure failures, and durable records.
 */
package dev.agentkernel.core.task;
