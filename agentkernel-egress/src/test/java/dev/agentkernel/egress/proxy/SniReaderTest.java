package dev.agentkernel.egress.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class SniReaderTest {

    @Test
    void readsTheServerNameOfARealClientHello() throws Exception {
        byte[] hello = clientHello("api.example.test");

        assertThat(SniReader.read(hello, 0, hello.length))
                .isEqualTo(new SniReader.Hello(Optional.of("api.example.test")));
    }

    @Test
    void everyProperPrefixOfAClientHelloAsksForMore() throws Exception {
        byte[] hello = clientHello("prefix.example.test");

        for (int length = 0; length < hello.length; length++) {
            assertThat(SniReader.read(hello, 0, length)).as("first %d bytes", length).isInstanceOf(SniReader.Incomplete.class);
        }
        assertThat(SniReader.read(hello, 0, hello.length)).isEqualTo(new SniReader.Hello(Optional.of("prefix.example.test")));
    }

    @Test
    void readsAClientHelloSplitOverManyRecords() throws Exception {
        byte[] hello = clientHello("split.example.test");
        byte[] fragmented = refragment(hello, 37);

        assertThat(fragmented.length).isGreaterThan(hello.length + 5 * 5);
        assertThat(SniReader.read(fragmented, 0, fragmented.length))
                .isEqualTo(new SniReader.Hello(Optional.of("split.example.test")));
        assertThat(SniReader.read(fragmented, 0, fragmented.length - 1)).isInstanceOf(SniReader.Incomplete.class);
    }

    @Test
    void readsAtAnOffsetAndIgnoresWhatFollows() throws Exception {
        byte[] hello = clientHello("offset.example.test");
        byte[] padded = new byte[hello.length + 20];
        System.arraycopy(hello, 0, padded, 7, hello.length);

        assertThat(SniReader.read(padded, 7, hello.length + 13))
                .isEqualTo(new SniReader.Hello(Optional.of("offset.example.test")));
    }

    @Test
    void aClientHelloToAnAddressHasNoServerName() throws Exception {
        byte[] hello = clientHello(null);

        assertThat(SniReader.read(hello, 0, hello.length)).isEqualTo(new SniReader.Hello(Optional.empty()));
    }

    @Test
    void plainTextIsNotTls() {
        byte[] get = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(SniReader.read(get, 0, get.length)).isInstanceOf(SniReader.NotTls.class);
    }

    @Test
    void garbageAfterAValidRecordHeaderIsNotTls() throws Exception {
        byte[] hello = clientHello("garbage.example.test");
        byte[] broken = hello.clone();
        // claim a session id longer than the message
        broken[5 + 4 + 34] = (byte) 0xff;

        assertThat(SniReader.read(broken, 0, broken.length)).isInstanceOf(SniReader.NotTls.class);
        byte[] notHello = hello.clone();
        notHello[5] = 2; // a ServerHello
        assertThat(SniReader.read(notHello, 0, notHello.length)).isInstanceOf(SniReader.NotTls.class);
        byte[] alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
        assertThat(SniReader.read(alert, 0, alert.length)).isInstanceOf(SniReader.NotTls.class);
    }

    @Test
    void aClientHelloLargerThanTheBoundIsRefusedAtItsHeader() {
        byte[] header = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x10, 0x00, 0x00};

        assertThat(SniReader.read(header, 0, header.length)).isInstanceOf(SniReader.NotTls.class);
    }

    @Test
    void randomBytesNeverThrow() {
        java.util.Random random = new java.util.Random(16);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = 0x16;
            }
            if (bytes.length > 1) {
                bytes[1] = 3;
            }
            assertThat(SniReader.read(bytes, 0, bytes.length)).isNotNull();
        }
    }

    /** The ClientHello the JDK sends for {@code serverName} (null: to an address, no SNI). */
    static byte[] clientHello(String serverName) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread client = Thread.ofVirtual().start(() -> {
                try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                        SSLSocket tls = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                                .createSocket(plain, serverName == null ? "127.0.0.1" : serverName, server.getLocalPort(), true)) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                } catch (Exception e) {
                    // the server closes after the ClientHello
                }
            });
            try (Socket accepted = server.accept()) {
                accepted.setSoTimeout(10_000);
                InputStream in = accepted.getInputStream();
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buffer = new byte[4096];
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        throw new AssertionError("the client closed before a whole ClientHello");
                    }
                    bytes.write(buffer, 0, n);
                    byte[] sofar = bytes.toByteArray();
                    if (!(SniReader.read(sofar, 0, sofar.length) instanceof SniReader.Incomplete)) {
                        int length = 5 + ((sofar[3] & 0xff) << 8 | (sofar[4] & 0xff));
                        return Arrays.copyOf(sofar, length);
                    }
                }
            } finally {
                client.join(10_000);
            }
        }
    }

    /** The same handshake bytes in records of at most {@code size} bytes each. */
    private static byte[] refragment(byte[] record, int size) {
        byte[] handshake = Arrays.copyOfRange(record, 5, record.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < handshake.length; at += size) {
            int n = Math.min(size, handshake.length - at);
            out.write(new byte[] {0x16, 0x03, 0x01, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(handshake, at, n);
        }
        return out.toByteArray();
    }
}
