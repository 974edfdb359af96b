package dev.agentkernel.egress.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadTest {

    private static HttpInput input(String text) {
        return new HttpInput(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void readsARequestLineAndItsHeaders() throws IOException {
        HttpInput in = input("GET /a?b=c HTTP/1.1\r\nHost: api.example.test:8080\r\nX-Thing:  spaced value \r\n\r\nBODY");

        RequestHead head = RequestHead.read(in, RequestHead.MAX_HEAD);

        assertThat(head.method()).isEqualTo("GET");
        assertThat(head.target()).isEqualTo("/a?b=c");
        assertThat(head.version()).isEqualTo("HTTP/1.1");
        assertThat(head.headers()).containsExactly(new RequestHead.Header("Host", "api.example.test:8080"),
                new RequestHead.Header("X-Thing", "spaced value"));
        assertThat(head.header("host")).contains("api.example.test:8080");
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("BODY");
    }

    @Test
    void acceptsBareLineFeedsAndLeadingEmptyLines() throws IOException {
        RequestHead head = RequestHead.read(input("\r\nPOST / HTTP/1.0\nA: 1\n\n"), RequestHead.MAX_HEAD);

        assertThat(head.method()).isEqualTo("POST");
        assertThat(head.headers()).containsExactly(new RequestHead.Header("A", "1"));
    }

    @Test
    void theEndOfInputBeforeAnyByteIsNoRequest() throws IOException {
        assertThat(RequestHead.read(input(""), RequestHead.MAX_HEAD)).isNull();
    }

    @Test
    void encodesWhatItRead() throws IOException {
        String text = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";

        RequestHead head = RequestHead.read(input(text), RequestHead.MAX_HEAD);

        assertThat(new String(head.encode(), StandardCharsets.ISO_8859_1)).isEqualTo(text);
        assertThat(new String(head.with("Connection", "close").without("Content-Length").encode(), StandardCharsets.ISO_8859_1))
                .isEqualTo("PUT /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    }

    @Test
    void refusesMalformedHeadsWithTheirStatus() {
        assertThat(status("GET /\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/2.0\r\n\r\n")).isEqualTo(505);
        assertThat(status("GET / HTTP/1.1\r\nNo colon here\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nHost: h\r\n")).isEqualTo(400);
        assertThat(status("GET / HTTP/1.1\r\nA: " + "x".repeat(70_000) + "\r\n\r\n")).isEqualTo(431);
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 3000; i++) {
            many.append("H").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        assertThat(status(many.append("\r\n").toString())).isEqualTo(431);
    }

    @Test
    void connectionOptionsAreListsOfTokens() throws IOException {
        RequestHead head = RequestHead.read(input("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"),
                RequestHead.MAX_HEAD);

        assertThat(head.connectionHas("upgrade")).isTrue();
        assertThat(head.connectionHas("close")).isFalse();
        assertThat(head.isUpgrade()).isTrue();
        assertThat(head.withoutH2cUpgrade()).isSameAs(head);
    }

    @Test
    void anHttp2CleartextUpgradeIsDropped() throws IOException {
        RequestHead head = RequestHead.read(input("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"), RequestHead.MAX_HEAD);

        assertThat(head.isUpgrade()).isTrue();
        assertThat(head.withoutH2cUpgrade().headers()).containsExactly(new RequestHead.Header("Host", "h"));
        assertThat(head.withoutH2cUpgrade().isUpgrade()).isFalse();
    }

    @Test
    void authoritiesAreHostsAndPorts() throws HttpProblem {
        assertThat(Authority.parse("API.Example.Test.", 80)).isEqualTo(new Authority("api.example.test", 80));
        assertThat(Authority.parse("api.example.test:8443", 80)).isEqualTo(new Authority("api.example.test", 8443));
        assertThat(Authority.parse("10.1.2.3:443", 0).isIpv4()).isTrue();
        assertThat(Authority.parse("999.1.2.3", 80).isIpv4()).isFalse();
        assertThat(Authority.parse("[::1]:443", 0).isIpv6()).isTrue();
        for (String bad : List.of("", "host:", "host:0", "host:65536", "host:x", "ho st", "a/b", "[::1", "h@x")) {
            assertThatThrownBy(() -> Authority.parse(bad, 80)).as(bad).isInstanceOf(HttpProblem.class);
        }
        assertThatThrownBy(() -> Authority.parse("host", 0)).hasMessageContaining("no port");
    }

    private static int status(String text) {
        try {
            RequestHead.read(input(text), RequestHead.MAX_HEAD);
            return 200;
        } catch (HttpProblem e) {
            return e.status();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
