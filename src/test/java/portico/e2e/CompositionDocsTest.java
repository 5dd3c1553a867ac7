package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RecordedRequest;

/** The configs printed in docs/transformation.md and docs/aggregation.md run and do what the text says. */
class CompositionDocsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "{\"id\":1,\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\",\"accountId\":\"ACC-1001\","
            + "\"created_at\":1675165645,\"password_hash\":\"$2b$12$K9gG\",\"ssn\":\"900-11-3471\",\"credit_card\":\"4111 1111 1111 1111\"}";

    private static String config(String doc, FakeUpstream upstream) {
        return VersioningTest.firstYamlBlock(Path.of(doc))
                .replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0")
                .replaceAll("http://127\\.0\\.0\\.1:300\\d", upstream.url());
    }

    @Test
    void theTransformationExampleAnswersAsPrinted() throws Exception {
        try (FakeUpstream users = FakeUpstream.start().handle("/profile/1", (req, res) -> res.header("X-Served-By", "users").body(ALICE));
             GatewayUnderTest gw = GatewayUnderTest.start(config("docs/transformation.md", users))) {
            HttpResponse<String> res = gw.get("/users/1?debug=1&x=%2F");

            assertThat(res.body()).isEqualTo("{\"id\":1,\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\",\"account_id\":\"ACC-1001\","
                    + "\"created_at\":\"2023-01-31T11:47:25Z\",\"api_version\":2}");
            assertThat(res.headers().firstValue("x-served-by")).isEmpty();
            assertThat(res.headers().firstValue("cache-control")).hasValue("private, max-age=60");
            RecordedRequest seen = users.takeRequest();
            assertThat(seen.target()).isEqualTo("/profile/1?x=%2F&source=gateway");
            assertThat(seen.header("x-user-id")).isEqualTo("1");
        }
    }

    @Test
    void theAggregationExampleAnswersAsPrinted() throws Exception {
        try (FakeUpstream all = FakeUpstream.start()
                .respond("/profile/1", 200, ALICE)
                .respond("/user/1", 200, "[{\"id\":1,\"user_id\":1}]")
                .respond("/for/1", 200, "[{\"product_id\":3}]");
             GatewayUnderTest gw = GatewayUnderTest.start(config("docs/aggregation.md", all))) {
            HttpResponse<String> res = gw.get("/dashboard/1");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(res.body()).fieldNames()).toIterable().containsExactly("user", "orders", "recommendations");
        }
    }
}
