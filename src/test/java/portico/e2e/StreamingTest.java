package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayProcess;
import portico.testing.GatewayUnderTest;
import portico.testing.GeneratedBody;
import portico.testing.RecordedRequest;

/**
 * Bodies stream through the gateway with bounded memory, in both directions and in both framings.
 * The proof is a cap: the gateway runs in its own JVM with a 256 MB heap (and so, by default, at
 * most 256 MB of direct buffers) and moves 512 MB each way; buffering a body would exhaust it.
 * Framing crosses unchanged: chunked stays chunked, a Content-Length is kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingTest {
    private static final long SIZE = 512L * 1024 * 1024;
    private static final Duration TRANSFER = Duration.ofSeconds(60);

    private FakeUpstream upstream;
    private GatewayProcess gateway;

    @BeforeAll
    void start() {
        upstream = FakeUpstream.start()
                .handle("/upload", (req, res) -> res.body("{\"received\":" + req.bodyLength() + "}"))
                .handle("/download/length", (req, res) -> res.stream(SIZE, false))
                .handle("/download/chunked", (req, res) -> res.stream(SIZE, true));
        gateway = GatewayProcess.start("""
                version: 1
                listen: 127.0.0.1:0
                limits: {max_body_bytes: 1GB}
                services: {store: {url: %s}}
                routes:
                  - {name: store, match: {paths: [/]}, service: store}
                """.formatted(upstream.url()), "-Xmx256m");
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void uploadsWithContentLengthStreamAndKeepTheirLength() throws Exception {
        HttpResponse<String> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gateway.uri("/upload/length"))
                .POST(GeneratedBody.withContentLength(SIZE)).timeout(TRANSFER).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).as(gateway.output()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("{\"received\":" + SIZE + "}");
        RecordedRequest seen = takeRequestFor("/upload/length");
        assertThat(seen.bodyLength()).isEqualTo(SIZE);
        assertThat(seen.chunked()).isFalse();
        assertThat(seen.header("content-length")).isEqualTo(String.valueOf(SIZE));
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void chunkedUploadsStreamAndStayChunked() throws Exception {
        HttpResponse<String> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gateway.uri("/upload/chunked"))
                .POST(GeneratedBody.chunked(SIZE)).timeout(TRANSFER).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).as(gateway.output()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("{\"received\":" + SIZE + "}");
        RecordedRequest seen = takeRequestFor("/upload/chunked");
        assertThat(seen.bodyLength()).isEqualTo(SIZE);
        assertThat(seen.chunked()).isTrue();
        assertThat(seen.header("content-length")).isNull();
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void downloadsWithContentLengthStreamAndKeepTheirLength() throws Exception {
        HttpResponse<Long> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gateway.uri("/download/length"))
                .timeout(TRANSFER).build(), GeneratedBody.countingDiscarder());

        assertThat(res.statusCode()).as(gateway.output()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-length")).hasValue(String.valueOf(SIZE));
        assertThat(res.headers().firstValue("transfer-encoding")).isEmpty();
        assertThat(res.body()).isEqualTo(SIZE);
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void chunkedDownloadsStreamAndStayChunked() throws Exception {
        HttpResponse<Long> res = GatewayUnderTest.HTTP.send(HttpRequest.newBuilder(gateway.uri("/download/chunked"))
                .timeout(TRANSFER).build(), GeneratedBody.countingDiscarder());

        assertThat(res.statusCode()).as(gateway.output()).isEqualTo(200);
        assertThat(res.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(res.headers().firstValue("content-length")).isEmpty();
        assertThat(res.body()).isEqualTo(SIZE);
        assertThat(gateway.isAlive()).isTrue();
    }

    /** The upstream is shared by the class's tests; skips what earlier tests sent. */
    private RecordedRequest takeRequestFor(String path) {
        for (RecordedRequest r = upstream.takeRequest(); ; r = upstream.takeRequest()) {
            if (r.path().equals(path)) return r;
        }
    }
}
