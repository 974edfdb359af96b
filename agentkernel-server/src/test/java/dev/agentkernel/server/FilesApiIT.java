package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /sandboxes/{name}/files/{path...}}: exact round
 * trips of text and bytes, encodings, sizes, errors, large raw transfers, the file size limit,
 * and that no path, symbolic link or {@code /proc} trick ever reaches the host's files.
 */
class FilesApiIT extends SandboxTestBase {

    private static final AtomicInteger SANDBOXES = new AtomicInteger();
    /** A JSON reader for responses with strings longer than Jackson's default limit (20 M characters). */
    private static final com.fasterxml.jackson.databind.ObjectMapper LARGE_JSON = new com.fasterxml.jackson.databind.ObjectMapper(
            com.fasterxml.jackson.core.JsonFactory.builder().streamReadConstraints(
                    com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(128 * 1024 * 1024).build())
                    .build());

    /** A fresh running sandbox for one test. */
    private static String box() {
        String name = "files-" + SANDBOXES.incrementAndGet();
        api.createOk(name);
        return name;
    }

    // ---- round trips --------------------------------------------------------------------------

    @Test
    void utf8TextRoundTripsExactly() {
        String box = box();
        List<String> texts = List.of("hello world", "h\u00e9llo w\u00f6rld \u20ac \uD83D\uDE00 \u4e2d\u6587\n", "", "\n",
                "\n\n\n", "\r\n\t  ", "  leading and trailing  ", "line1\nline2\n",
                "\"quotes\" \\ backslash </script> {\"json\": true}", "x".repeat(100_000));
        int i = 0;
        for (String text : texts) {
            String path = "/workspace/text-" + i++ + ".txt";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ServerFixture.Response put = api.writeText(box, path, text);
            assertThat(put.status()).as("PUT %s: %s", path, put).isEqualTo(200);
            assertThat(put.data().asText()).as("%s", put).isEqualTo("Wrote " + bytes.length + " bytes to " + path);

            ServerFixture.Response get = api.read(box, path);
            assertThat(get.status()).as("GET %s: %s", path, get).isEqualTo(200);
            JsonNode data = get.data();
            assertThat(data.path("encoding").asText()).as("%s", get).isEqualTo("utf8");
            assertThat(data.path("content").asText()).as("content of %s", path).isEqualTo(text);
            assertThat(data.path("size").asLong(-1)).as("%s", get).isEqualTo(bytes.length);
            assertThat(sha256InSandbox(box, path)).as("bytes on disk of %s", path).isEqualTo(sha256(bytes));
        }
        // replacing a file with shorter content leaves nothing of the old one
        assertThat(api.writeText(box, "/workspace/text-0.txt", "hi").status()).isEqualTo(200);
        assertThat(api.read(box, "/workspace/text-0.txt").data().path("content").asText()).isEqualTo("hi");
        // "utf-8" is the same encoding
        assertThat(api.writeJson(box, "/tmp/dash.txt", Map.of("content", "d\u00e9", "encoding", "utf-8")).status())
                .isEqualTo(200);
        assertThat(api.sh(box, "cat /tmp/dash.txt")).isEqualTo("d\u00e9");
    }

    @Test
    void base64RoundTripsEveryByteValue() {
        String box = box();
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        ServerFixture.Response put = api.writeBase64(box, "/workspace/all.bin", all);
        assertThat(put.status()).as("%s", put).isEqualTo(200);
        assertThat(put.data().asText()).isEqualTo("Wrote 256 bytes to /workspace/all.bin");
        JsonNode data = api.read(box, "/workspace/all.bin").data();
        assertThat(data.path("encoding").asText()).isEqualTo("base64");
        assertThat(data.path("size").asLong(-1)).isEqualTo(256);
        assertThat(Base64.getDecoder().decode(data.path("content").asText())).isEqualTo(all);
        assertThat(sha256InSandbox(box, "/workspace/all.bin")).isEqualTo(sha256(all));
        assertThat(api.sh(box, "od -An -tx1 -v /workspace/all.bin | tr -d ' \\n'"))
                .isEqualTo(HexFormat.of().formatHex(all));

        // base64 of text is stored as the text's bytes and read back as utf8
        assertThat(api.writeJson(box, "/tmp/hello.txt", Map.of("content", "aGVsbG8=", "encoding", "base64")).status())
                .isEqualTo(200);
        JsonNode hello = api.read(box, "/tmp/hello.txt").data();
        assertThat(hello.path("content").asText()).isEqualTo("hello");
        assertThat(hello.path("encoding").asText()).isEqualTo("utf8");
        assertThat(hello.path("size").asLong()).isEqualTo(5);
        // empty base64 is an empty file
        assertThat(api.writeJson(box, "/tmp/empty.bin", Map.of("content", "", "encoding", "base64")).status()).isEqualTo(200);
        assertThat(api.read(box, "/tmp/empty.bin").data().path("size").asLong(-1)).isZero();
    }

    @Test
    void nonUtf8ContentWrittenInsideIsReturnedAsBase64() {
        String box = box();
        Map<String, byte[]> files = Map.of(
                "/workspace/latin1.txt", new byte[] {'c', 'a', 'f', (byte) 0xe9},
                "/workspace/bom.bin", new byte[] {(byte) 0xff, (byte) 0xfe, 'a', 'b', 'c'},
                "/workspace/overlong.bin", new byte[] {(byte) 0xc0, (byte) 0xaf},
                "/workspace/truncated.bin", new byte[] {'x', (byte) 0xe2, (byte) 0x82},
                "/workspace/nul.bin", new byte[] {'a', 0, 'b'},
                "/workspace/surrogate.bin", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80});
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            StringBuilder printf = new StringBuilder();
            for (byte b : file.getValue()) {
                printf.append(String.format("\\%03o", b & 0xff));
            }
            api.sh(box, "printf '" + printf + "' > " + file.getKey());
            JsonNode data = api.read(box, file.getKey()).data();
            assertThat(data.path("encoding").asText()).as("%s: %s", file.getKey(), data).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(data.path("content").asText())).as(file.getKey()).isEqualTo(file.getValue());
            assertThat(data.path("size").asLong(-1)).isEqualTo(file.getValue().length);
        }
        // valid UTF-8 written inside is utf8
        api.sh(box, "printf 'caf\\303\\251' > /workspace/utf8.txt");
        JsonNode utf8 = api.read(box, "/workspace/utf8.txt").data();
        assertThat(utf8.path("encoding").asText()).isEqualTo("utf8");
        assertThat(utf8.path("content").asText()).isEqualTo("caf\u00e9");
        assertThat(utf8.path("size").asLong()).isEqualTo(5);
    }

    @Test
    void nestedPathsParentsDirectoriesAndDelete() {
        String box = box();
        api.sh(box, "mkdir -p /workspace/a/b");
        ServerFixture.Response put = api.writeText(box, "/workspace/a/b/c.txt", "nested");
        assertThat(put.status()).as("%s", put).isEqualTo(200);
        assertThat(api.sh(box, "cat /workspace/a/b/c.txt")).isEqualTo("nested");
        assertThat(api.read(box, "/workspace/a/b/c.txt").data().path("content").asText()).isEqualTo("nested");

        ServerFixture.Response missingParents = api.writeText(box, "/workspace/no/such/dir/x.txt", "x");
        assertThat(missingParents.status()).as("parents are made, as the published clients expect: %s", missingParents)
                .isEqualTo(200);
        String uid = api.sh(box, "id -u").strip();
        assertThat(api.sh(box, "cat /workspace/no/such/dir/x.txt; echo; stat -c '%a %u' /workspace/no /workspace/no/such/dir"))
                .as("made as the sandbox's user, 0755").isEqualTo("x\n755 " + uid + "\n755 " + uid + "\n");
        ServerTestBase.assertErrorEnvelope(api.writeText(box, "/workspace/a/b/c.txt/d/e.txt", "x"), 400);

        for (String dir : List.of("/workspace/a", "/workspace/a/b", "/workspace", "/tmp", "/workspace/a/")) {
            ServerFixture.Response r = api.read(box, dir);
            JsonNode e = ServerTestBase.assertErrorEnvelope(r, 400);
            assertThat(e.path("error").asText()).as("%s", r).containsIgnoringCase("directory");
        }
        assertThat(ServerTestBase.assertErrorEnvelope(api.writeText(box, "/workspace/a", "x"), 400)
                .path("error").asText()).containsIgnoringCase("directory");
        ServerTestBase.assertErrorEnvelope(api.writeText(box, "/workspace/a/b/c.txt/under-a-file", "x"), 400);

        ServerTestBase.assertErrorEnvelope(api.read(box, "/workspace/missing.txt"), 404);

        ServerFixture.Response delete = api.deleteFile(box, "/workspace/a/b/c.txt");
        assertThat(delete.status()).as("%s", delete).isEqualTo(200);
        assertThat(delete.data().asText()).isEqualTo("Deleted /workspace/a/b/c.txt");
        ServerTestBase.assertErrorEnvelope(api.read(box, "/workspace/a/b/c.txt"), 404);
        ServerTestBase.assertErrorEnvelope(api.deleteFile(box, "/workspace/a/b/c.txt"), 404);
        assertThat(api.sh(box, "ls -A /workspace/a/b")).isEmpty();
        ServerFixture.Response deleteDir = api.deleteFile(box, "/workspace/a");
        ServerTestBase.assertErrorEnvelope(deleteDir, 400);
        assertThat(api.sh(box, "test -d /workspace/a/b && echo still")).isEqualTo("still\n");
    }

    @Test
    void pathsAreUrlDecoded() {
        String box = box();
        ServerFixture.Response put = api.writeText(box, "/workspace/my%20file%20%C3%A9%2B1.txt", "spaced");
        assertThat(put.status()).as("%s", put).isEqualTo(200);
        assertThat(api.sh(box, "cat '/workspace/my file \u00e9+1.txt'")).isEqualTo("spaced");
        assertThat(api.read(box, "/workspace/my%20file%20%C3%A9%2B1.txt").data().path("content").asText())
                .isEqualTo("spaced");
    }

    @Test
    void writingToAReadOnlyPlaceIsAClientError() {
        String box = box();
        for (String path : List.of("/usr/bin/ak-evil", "/etc/passwd", "/proc/sys/kernel/hostname")) {
            ServerFixture.Response r = api.writeText(box, path, "evil");
            assertThat(r.status()).as("PUT %s: %s", path, r).isBetween(400, 499);
            ServerTestBase.assertErrorEnvelope(r, r.status());
        }
        assertThat(Path.of("/usr/bin/ak-evil")).doesNotExist();
    }

    @Test
    void invalidWritesAre400() {
        String box = box();
        List<String> bodies = List.of(
                "{\"content\": \"****\", \"encoding\": \"base64\"}",
                "{\"content\": \"aGVs#bG8=\", \"encoding\": \"base64\"}",
                "{\"content\": \"a\", \"encoding\": \"base64\"}",
                "{\"content\": \"aGVsbG8=!!\", \"encoding\": \"base64\"}",
                "{\"content\": \"\u00e9\u00e9\u00e9\u00e9\", \"encoding\": \"base64\"}",
                "{\"content\": \"abc\", \"encoding\": \"latin1\"}",
                "{\"content\": \"abc\", \"encoding\": \"\"}",
                "{\"content\": \"abc\", \"encoding\": 7}",
                "{\"content\": 42}",
                "{\"content\": null}",
                "{}",
                "{\"content\": \"abc\"",
                "[\"abc\"]");
        List<String> accepted = new ArrayList<>();
        for (String body : bodies) {
            ServerFixture.Response r = fx.send(fx.request(SandboxApi.filePath(box, "/workspace/bad.txt"))
                    .setHeader("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
            if (r.status() != 400) {
                accepted.add(body + " -> " + r);
                api.deleteFile(box, "/workspace/bad.txt");
                continue;
            }
            ServerTestBase.assertErrorEnvelope(r, 400);
            assertThat(api.read(box, "/workspace/bad.txt").status()).as("file after refused PUT %s", body).isEqualTo(404);
        }
        assertThat(accepted).as("invalid file writes that did not get 400").isEmpty();
        assertThat(ServerTestBase.assertErrorEnvelope(api.writeJson(box, "/workspace/bad.txt",
                Map.of("content", "abc", "encoding", "latin1")), 400).path("error").asText()).contains("latin1");
    }

    // ---- large files and the limit --------------------------------------------------------------

    @Test
    void largeFileStreamsRawBothWays() throws Exception {
        String box = box();
        byte[] data = new byte[20 * 1024 * 1024];
        new Random(20250101L).nextBytes(data);
        ServerFixture.Response put = api.writeRaw(box, "/workspace/large.bin", HttpRequest.BodyPublishers.ofByteArray(data));
        assertThat(put.status()).as("%s", put).isEqualTo(200);
        assertThat(put.data().asText()).isEqualTo("Wrote " + data.length + " bytes to /workspace/large.bin");
        assertThat(sha256InSandbox(box, "/workspace/large.bin")).isEqualTo(sha256(data));

        ServerFixture.Response get = api.readRaw(box, "/workspace/large.bin");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.contentType()).startsWith("application/octet-stream");
        assertThat(get.raw().body().length).isEqualTo(data.length);
        assertThat(sha256(get.raw().body())).isEqualTo(sha256(data));

        // the same file through JSON (under the default limit) as base64
        ServerFixture.Response jsonRead = api.read(box, "/workspace/large.bin");
        assertThat(jsonRead.status()).isEqualTo(200);
        JsonNode json = LARGE_JSON.readTree(jsonRead.raw().body()).path("data");
        assertThat(json.path("encoding").asText()).isEqualTo("base64");
        assertThat(json.path("size").asLong()).isEqualTo(data.length);
        assertThat(sha256(Base64.getDecoder().decode(json.path("content").asText()))).isEqualTo(sha256(data));

        // raw text is raw too
        ServerFixture.Response text = api.writeRaw(box, "/tmp/raw.txt",
                HttpRequest.BodyPublishers.ofString("{\"content\": \"not parsed\"}"));
        assertThat(text.status()).isEqualTo(200);
        assertThat(api.sh(box, "cat /tmp/raw.txt")).isEqualTo("{\"content\": \"not parsed\"}");
    }

    @Test
    void filesOverTheLimitAre413() throws IOException {
        long limit = 1024 * 1024;
        Path dir = Files.createTempDirectory("ak-files-limit-it-");
        try (ServerFixture small = ServerFixture.startIn(dir, 2, List.of(), 0, c -> c.withMaxFileBytes(limit))) {
            SandboxApi limited = new SandboxApi(small);
            try {
                limited.createOk("limited");
                limited.sh("limited", "head -c 2000000 /dev/zero > /workspace/big; head -c 1048576 /dev/zero > /workspace/exact");
                ServerFixture.Response json = limited.read("limited", "/workspace/big");
                JsonNode error = ServerTestBase.assertErrorEnvelope(json, 413);
                assertThat(error.path("error").asText()).as("%s", json).contains("octet-stream");
                ServerFixture.Response raw = limited.readRaw("limited", "/workspace/big");
                assertThat(raw.status()).as("raw read of a file over the JSON limit").isEqualTo(200);
                assertThat(raw.raw().body()).hasSize(2_000_000);
                assertThat(limited.read("limited", "/workspace/exact").data().path("size").asLong())
                        .as("a file of exactly the limit").isEqualTo(limit);

                byte[] over = new byte[(int) limit + 10];
                ServerFixture.Response rawPut = limited.writeRaw("limited", "/workspace/up.bin",
                        HttpRequest.BodyPublishers.ofByteArray(over));
                ServerTestBase.assertErrorEnvelope(rawPut, 413);
                assertThat(limited.read("limited", "/workspace/up.bin").status())
                        .as("nothing left of a refused raw write").isEqualTo(404);

                ServerFixture.Response jsonPut = limited.writeBase64("limited", "/workspace/up2.bin", over);
                assertThat(jsonPut.status()).as("JSON write of %d bytes with a file limit of %d: %s", over.length, limit,
                        jsonPut).isEqualTo(413);
                assertThat(limited.read("limited", "/workspace/up2.bin").status()).isEqualTo(404);
            } finally {
                assertThat(limited.removeAll()).isEmpty();
            }
            small.awaitNothingLeftBehind(Duration.ofSeconds(10));
        }
    }

    // ---- escapes --------------------------------------------------------------------------------

    @Test
    void noPathReachesTheHostsFiles() throws IOException {
        String box = box();
        byte[] hostShadow = Files.readAllBytes(Path.of("/etc/shadow"));
        Optional<byte[]> hostHostname = Files.exists(Path.of("/etc/hostname"))
                ? Optional.of(Files.readAllBytes(Path.of("/etc/hostname"))) : Optional.empty();
        byte[] hostPasswd = Files.readAllBytes(Path.of("/etc/passwd"));
        Path secret = fx.dir.resolve("host-secret.txt");
        byte[] secretBytes = ("host secret " + System.nanoTime() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(secret, secretBytes);
        List<byte[]> hostFiles = new ArrayList<>(List.of(hostShadow, hostPasswd, secretBytes));
        hostHostname.ifPresent(hostFiles::add);

        // links made by the sandbox (they land in its host directories, pointing at host paths)
        api.sh(box, "ln -s / /tmp/root; ln -s /etc/shadow /workspace/shadow-link; ln -s /etc /workspace/etc-link; "
                + "ln -s " + secret + " /workspace/secret-link; ln -s " + fx.dir + " /workspace/hostdir-link; "
                + "ln -s ../../../../../../../../etc/shadow /workspace/relative-link");
        Path workspace = api.hostWorkspace(box);
        Files.createSymbolicLink(workspace.resolve("host-made-link"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(workspace.resolve("host-made-dir"), Path.of("/etc"));

        List<String> paths = List.of("/etc/shadow", "/etc/hostname", "/etc/passwd",
                "/../../etc/shadow", "/workspace/../../../../etc/shadow", "/tmp/../../etc/shadow",
                "/%2e%2e/%2e%2e/etc/shadow", "/workspace/%2e%2e/%2e%2e/%2e%2e/etc/shadow", "/%2E%2E%2F%2E%2E%2Fetc%2Fshadow",
                "/..%2f..%2f..%2fetc%2fshadow", "/workspace%2f..%2f..%2fetc%2fhostname",
                "/tmp/root/etc/hostname", "/tmp/root/etc/shadow", "/tmp/root" + secret,
                "/workspace/shadow-link", "/workspace/etc-link/shadow", "/workspace/etc-link/hostname",
                "/workspace/secret-link", "/workspace/hostdir-link/host-secret.txt", "/workspace/relative-link",
                "/workspace/host-made-link", "/workspace/host-made-dir/shadow", "/workspace/host-made-dir/hostname",
                "/proc/self/root/etc/shadow", "/proc/self/root/etc/hostname", "/proc/1/root/etc/shadow",
                "/proc/1/root/etc/hostname", "/proc/1/root" + secret, "/proc/self/cwd/../etc/shadow",
                secret.toString(), "/proc/self/root/../../etc/shadow");
        List<String> answers = new ArrayList<>();
        for (String path : paths) {
            for (boolean raw : List.of(false, true)) {
                ServerFixture.Response r = raw ? api.readRaw(box, path) : api.read(box, path);
                answers.add((raw ? "raw " : "json ") + path + " -> " + r.status());
                assertThat(r.status()).as("GET %s (%s): %s", path, raw ? "raw" : "json", r).isLessThan(500);
                byte[] content = r.raw().body();
                if (r.status() == 200 && !raw) {
                    JsonNode data = r.data();
                    content = data.path("encoding").asText().equals("base64")
                            ? Base64.getDecoder().decode(data.path("content").asText())
                            : data.path("content").asText().getBytes(StandardCharsets.UTF_8);
                }
                for (byte[] host : hostFiles) {
                    assertThat(content).as("GET %s returned a host file", path).isNotEqualTo(host);
                    if (host.length > 8) {
                        assertThat(new String(content, StandardCharsets.ISO_8859_1))
                                .as("GET %s returned part of a host file", path)
                                .doesNotContain(new String(host, StandardCharsets.ISO_8859_1).lines().findFirst().orElseThrow());
                    }
                }
            }
        }
        // positive controls: links, .. and /proc/self/root do resolve, in the sandbox's own view (/proc/1/root is
        // sandbox root's, out of the unprivileged user's reach)
        api.sh(box, "mkdir -p /workspace/sub; echo own-file > /workspace/own.txt; ln -s /workspace/own.txt /tmp/own-link");
        for (String path : List.of("/tmp/own-link", "/tmp/root/workspace/own.txt", "/proc/self/root/workspace/own.txt",
                "/workspace/sub/../own.txt", "/workspace/sub/%2e%2e/own.txt")) {
            ServerFixture.Response r = api.read(box, path);
            assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(200);
            assertThat(r.data().path("content").asText()).as("GET %s", path).isEqualTo("own-file\n");
        }
        // the sandbox's own /etc/passwd is the one it is given, not the host's
        JsonNode passwd = api.read(box, "/etc/passwd").data();
        assertThat(passwd.path("content").asText()).contains("root:x:0:0:root:/workspace:/bin/sh");
        System.out.println("escape attempts: " + answers);
    }

    @Test
    void noWriteOrDeleteReachesTheHostsFiles() throws IOException {
        String box = box();
        Path hostDir = Files.createDirectories(fx.dir.resolve("host-victims"));
        Path victim = hostDir.resolve("victim.txt");
        Files.writeString(victim, "host data\n");
        api.sh(box, "ln -s " + hostDir + " /workspace/out; ln -s " + victim + " /workspace/victim-link; "
                + "ln -s / /tmp/root");
        Path workspace = api.hostWorkspace(box);
        Files.createSymbolicLink(workspace.resolve("host-made-out"), hostDir);
        Files.createSymbolicLink(workspace.resolve("host-made-victim"), victim);

        List<String> writes = List.of("/workspace/out/pwned.txt", "/workspace/host-made-out/pwned.txt",
                "/tmp/root" + hostDir + "/pwned.txt", "/proc/1/root" + hostDir + "/pwned.txt",
                "/workspace/../../../.." + hostDir + "/pwned.txt", "/workspace/%2e%2e/%2e%2e/%2e%2e" + hostDir + "/pwned.txt",
                hostDir + "/pwned.txt", "/workspace/victim-link", "/workspace/host-made-victim");
        for (String path : writes) {
            ServerFixture.Response r = api.writeText(box, path, "pwned\n");
            assertThat(r.status()).as("PUT %s: %s", path, r).isLessThan(500);
            assertThat(hostDir.resolve("pwned.txt")).as("host file after PUT %s", path).doesNotExist();
            assertThat(Files.readString(victim)).as("host victim after PUT %s", path).isEqualTo("host data\n");
        }
        List<String> deletes = List.of("/workspace/out/victim.txt", "/workspace/host-made-out/victim.txt",
                "/tmp/root" + victim, "/proc/1/root" + victim, "/workspace/../../../.." + victim, victim.toString(),
                "/workspace/victim-link", "/workspace/host-made-victim");
        for (String path : deletes) {
            ServerFixture.Response r = api.deleteFile(box, path);
            assertThat(r.status()).as("DELETE %s: %s", path, r).isLessThan(500);
            assertThat(victim).as("host victim after DELETE %s", path).exists();
        }
        // removing the sandbox removes its links, never what they point to
        api.sh(box, "ln -s " + hostDir + " /workspace/out2; ln -s / /tmp/root2");
        assertThat(api.delete(box).status()).isEqualTo(200);
        assertThat(victim).as("host victim after the sandbox holding links to it was removed").exists();
        assertThat(Files.readString(victim)).isEqualTo("host data\n");
        assertThat(api.hostDir(box)).doesNotExist();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String sha256InSandbox(String box, String path) {
        return api.sh(box, "sha256sum '" + path + "' | cut -d' ' -f1").strip();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
