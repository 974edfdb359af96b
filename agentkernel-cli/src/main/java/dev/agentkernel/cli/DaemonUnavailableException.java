package dev.agentkernel.cli;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;

/**
 * No AgentKernel daemon answers where the CLI looked for one, or the connection to it broke;
 * {@link ExitCodes} makes it one line and exit code 69.
 */
final class DaemonUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private DaemonUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exception for a failed connection to the daemon at {@code url}. */
    static DaemonUnavailableException of(String url, Throwable cause) {
        if (refused(cause)) {
            return new DaemonUnavailableException(noDaemon(url), cause);
        }
        String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return new DaemonUnavailableException("lost the connection to the AgentKernel daemon at " + url + detail, cause);
    }

    /** A daemon that answers but cannot serve what was asked, said in {@code message}. */
    static DaemonUnavailableException unusable(String message, Throwable cause) {
        return new DaemonUnavailableException(message, cause);
    }

    /** The line for a daemon that does not answer at {@code url}. */
    static String noDaemon(String url) {
        return "no AgentKernel daemon answers at " + url + "; start one with 'agentkernel daemon start'";
    }

    /** Whether nothing listens (connection refused, or no connection within the timeout). */
    static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
