package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;

/**
 * The three versioning strategies of docs/versioning.md, run from the config printed there: URL
 * path, X-API-Version header and ?version= query, a default version for requests that name none,
 * Deprecation and Sunset on the old version, and version 2 made from the legacy service's answer by
 * a response transform.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersioningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEGACY = "{\"user_id\":1,\"full_name\":\"Alice Liddell\",\"mail\":\"alice@example.com\",\"created\":1675165645}";
    private static final String MODERN = "{\"id\":1,\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\",\"created_at\":1675165645}";

    private FakeUpstream legacy;
    private GatewayUnderTest gw;

    @BeforeAll
    void start() {
        legacy = FakeUpstream.start().respond("/legacy/users/1", 200, LEGACY);
        String yaml = firstYamlBlock(Path.of("docs/versioning.md"))
                .replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0")
                .replace("http://127.0.0.1:3002", legacy.url());
        gw = GatewayUnderTest.start(yaml);
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (legacy != null) legacy.close();
    }

    @Test
    void thePathChoosesTheVersion() throws Exception {
        assertThat(json(gw.get("/v1/users/1"))).isEqualTo(JSON.readTree(LEGACY));
        assertThat(json(gw.get("/v2/users/1"))).isEqualTo(JSON.readTree(MODERN));
    }

    @Test
    void theHeaderChoosesTheVersion() throws Exception {
        HttpResponse<String> res = gw.send(HttpRequest.newBuilder(gw.uri("/users/1")).header("X-API-Version", "2").build());

        assertThat(json(res)).isEqualTo(JSON.readTree(MODERN));
        assertThat(res.headers().firstValue("deprecation")).isEmpty();
    }

    @Test
    void theQueryChoosesTheVersionAndIsNotPassedOn() throws Exception {
        assertThat(json(gw.get("/users/1?version=2"))).isEqualTo(JSON.readTree(MODERN));
        assertThat(legacy.recorded()).extracting(r -> r.target()).contains("/legacy/users/1").doesNotContain("/legacy/users/1?version=2");
    }

    @Test
    void aRequestThatNamesNoKnownVersionGetsTheDefault() throws Exception {
        assertThat(json(gw.get("/users/1"))).isEqualTo(JSON.readTree(LEGACY));
        assertThat(json(gw.send(HttpRequest.newBuilder(gw.uri("/users/1")).header("X-API-Version", "7").build())))
                .isEqualTo(JSON.readTree(LEGACY));
    }

    @Test
    void theOldVersionAnnouncesDeprecationAndSunset() {
        for (String path : new String[] {"/v1/users/1", "/users/1"}) {
            HttpResponse<String> res = gw.get(path);

            assertThat(res.headers().firstValue("deprecation")).as(path).hasValue("@1735689599");
            assertThat(res.headers().firstValue("sunset")).as(path).hasValue("Thu, 31 Dec 2026 23:59:59 GMT");
            assertThat(res.headers().firstValue("link")).as(path).hasValue("</v2/users>; rel=\"successor-version\"");
        }
        assertThat(gw.get("/v2/users/1").headers().firstValue("deprecation")).isEmpty();
    }

    private static JsonNode json(HttpResponse<String> res) throws IOException {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JSON.readTree(res.body());
    }

    static String firstYamlBlock(Path markdown) {
        try {
            String text = Files.readString(markdown);
            int start = text.indexOf("```yaml\n") + "```yaml\n".length();
            return text.substring(start, text.indexOf("```", start));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
