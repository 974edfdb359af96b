package dev.agentkernel.egress.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Copies bytes both ways between two connections until both directions have ended. */
final class Relay {

    private Relay() {
    }

    /**
     * Copies {@code clientIn} to {@code upstream} and {@code upstream} to {@code client} (in a
     * second virtual thread), passing each end of input on as a half close (an error in either
     * direction closes both); returns when both directions ended. The caller closes both sockets.
     */
    static void both(Socket client, InputStream clientIn, Socket upstream) throws IOException {
        InputStream upstreamIn = upstream.getInputStream();
        OutputStream clientOut = client.getOutputStream();
        Thread back = Thread.ofVirtual().name("egress-relay").start(() -> ended(copyQuietly(upstreamIn, clientOut), client, upstream));
        ended(copyQuietly(clientIn, upstream.getOutputStream()), upstream, client);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After one direction: its end passed on to {@code to}, or both closed if it failed (so the other direction ends too). */
    private static void ended(boolean cleanly, Socket to, Socket other) {
        if (cleanly) {
            endOutput(to);
        } else {
            OpenConnections.quietlyClose(to);
            OpenConnections.quietlyClose(other);
        }
    }

    /** Copies until the end of {@code in} or an error of either side; whether it reached the end. */
    static boolean copyQuietly(InputStream in, OutputStream out) {
        byte[] buffer = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Tells the peer that nothing more comes (TLS: close_notify); closes the socket where that is not possible. */
    static void endOutput(Socket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException | UnsupportedOperationException e) {
            OpenConnections.quietlyClose(socket);
        }
    }
}
