package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.MalformedFrameException;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AgentProtocolTest {

    static Stream<Request> requests() {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        return Stream.of(
                new Request.Exec(1, List.of("sh", "-c", "echo ünïcode"), List.of("PATH=/usr/bin", "EMPTY="), "/work", true, false, 40, 120),
                new Request.Exec(2, List.of("id"), List.of(), "/", false, true, 0, 0),
                new Request.Exec(0xFFFFFFFF, List.of("true"), List.of(), "", false, false, 0, 0),
                new Request.Stdin(2, binary),
                new Request.Stdin(2, new byte[0]),
                new Request.Resize(3, 65535, 1),
                new Request.Signal(4, 15),
                new Request.ReadFile(5, "/tmp/../etc/ä b"),
                new Request.WriteFile(6, 0755, "/tmp/x"),
                new Request.WriteData(6, binary),
                new Request.WriteEnd(6),
                new Request.DeleteFile(7, "relative/path"),
                new Request.Stat(8, "/"),
                new Request.Ping(9, new byte[] {1, 2, 3}),
                new Request.Window(10, AgentProtocol.WINDOW),
                new Request.Cancel(11));
    }

    static Stream<Response> responses() {
        return Stream.of(
                new Response.Started(1, 4_000_000_000L),
                new Response.Stdout(1, "out".getBytes(StandardCharsets.UTF_8)),
                new Response.Stderr(1, new byte[0]),
                new Response.Exit(1, 3, 0),
                new Response.Exit(1, -1, 9),
                new Response.FileData(2, new byte[] {0, -1, 127}),
                new Response.FileEnd(2, 20L << 20, 0640),
                new Response.Ok(3, Long.MAX_VALUE),
                new Response.StatResult(4, 2, 4096, 01777, 1_700_000_000_123L),
                new Response.Pong(5, new byte[8]),
                new Response.Window(6, 65536),
                new Response.Error(7, AgentProtocol.Errno.ENOENT, "cannot open /x: No such file or directory"));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void requestsSurviveTheWire(Request request) throws IOException {
        Frame read = Frame.readFrom(new ByteArrayInputStream(bytes(request.toFrame())), AgentProtocol.MAX_REQUEST_PAYLOAD);
        assertThat(Request.fromFrame(read)).usingRecursiveComparison().isEqualTo(request);
        assertThat(read.channel()).isEqualTo(request.channel());
    }

    @ParameterizedTest
    @MethodSource("responses")
    void responsesSurviveTheWire(Response response) throws IOException {
        Frame read = Frame.readFrom(new ByteArrayInputStream(bytes(response.toFrame())), AgentProtocol.MAX_RESPONSE_PAYLOAD);
        assertThat(Response.fromFrame(read)).usingRecursiveComparison().isEqualTo(response);
    }

    @Test
    void framesAreBigEndianTypeChannelLengthPayload() {
        assertThat(HexFormat.of().formatHex(bytes(new Request.Ping(0x01020304, new byte[] {(byte) 0xAA}).toFrame())))
                .isEqualTo("0b" + "01020304" + "00000001" + "aa");
        assertThat(HexFormat.of().formatHex(bytes(new Request.Signal(7, 9).toFrame())))
                .isEqualTo("04" + "00000007" + "00000004" + "00000009");
    }

    @Test
    void execPayloadIsFlagsSizeCwdArgvEnv() {
        byte[] payload = new Request.Exec(1, List.of("ls"), List.of("A=1"), "/", true, false, 24, 80).toFrame().payload();
        assertThat(HexFormat.of().formatHex(payload)).isEqualTo(
                "01" + "0018" + "0050" + "00000001" + "2f" + "00000001" + "00000002" + "6c73" + "00000001" + "00000003" + "413d31");
    }

    @Test
    void consecutiveFramesAreReadOneByOneAndEndCleanly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Request.Ping(1, new byte[] {1}).toFrame().writeTo(out);
        new Request.WriteEnd(2).toFrame().writeTo(out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(Frame.readFrom(in, 100).channel()).isEqualTo(1);
        assertThat(Frame.readFrom(in, 100).channel()).isEqualTo(2);
        assertThat(Frame.readFrom(in, 100)).isNull();
    }

    @Test
    void truncatedHeaderIsMalformed() {
        assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(new byte[] {0x0b, 0, 0}), 100))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("header");
    }

    @Test
    void truncatedPayloadIsMalformed() {
        byte[] frame = bytes(new Request.Ping(1, new byte[10]).toFrame());
        assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(java.util.Arrays.copyOf(frame, frame.length - 1)), 100))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("payload");
    }

    @Test
    void oversizedLengthIsRejectedBeforeAllocating() {
        byte[] header = ByteBuffer.allocate(9).put((byte) 0x82).putInt(1).putInt(0xFFFFFFFF).array();
        assertThatThrownBy(() -> Frame.readFrom(new ByteArrayInputStream(header), AgentProtocol.MAX_RESPONSE_PAYLOAD))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("4294967295");
    }

    @Test
    void unknownTypesAreMalformed() {
        assertThatThrownBy(() -> Response.fromFrame(new Frame(0x7f, 1, new byte[0])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unknown response type 0x7f");
        assertThatThrownBy(() -> Request.fromFrame(new Frame(0x81, 1, new byte[4])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unknown request type 0x81");
    }

    @Test
    void shortAndOverlongPayloadsAreMalformed() {
        assertThatThrownBy(() -> Response.fromFrame(new Frame(AgentProtocol.EXIT, 1, new byte[7])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> Response.fromFrame(new Frame(AgentProtocol.STARTED, 1, new byte[5])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unexpected bytes");
        assertThatThrownBy(() -> Response.fromFrame(new Frame(AgentProtocol.ERROR, 1, new byte[2])))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void listsAndStringsCannotClaimMoreThanThePayloadHolds() {
        byte[] hugeList = ByteBuffer.allocate(17).put((byte) 0).putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt(0x7FFFFFFF).array();
        assertThatThrownBy(() -> Request.fromFrame(new Frame(AgentProtocol.EXEC, 1, hugeList)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("list of 2147483647");
        byte[] longString = ByteBuffer.allocate(9).put((byte) 0).putShort((short) 0).putShort((short) 0).putInt(100).array();
        assertThatThrownBy(() -> Request.fromFrame(new Frame(AgentProtocol.EXEC, 1, longString)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("string of 100 bytes");
    }

    @Test
    void sixteenBitFieldsRejectOutOfRangeValues() {
        assertThatThrownBy(() -> new Request.Resize(1, 70000, 80).toFrame()).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(Frame frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            frame.writeTo(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
