package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RecordedRequest;

/** {@code key_auth}: a consumer's API key in a header or (where allowed) the query; the service never sees the key. */
class KeyAuthTest {
    static final String MOBILE_KEY = "mobile-0123456789abcdef";
    private FakeUpstream upstream;
    private GatewayUnderTest gw;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start();
        gw = GatewayUnderTest.start("""
                version: 1
                listen: 127.0.0.1:0
                services: {api: {url: %s}}
                consumers:
                  mobile-app:
                    groups: [mobile]
                    api_keys: [${MOBILE_KEY}, mobile-previous-key-0000]
                  partner:
                    api_keys: partner-0123456789abcdef
                routes:
                  - {name: api, match: {paths: [/api]}, service: api, plugins: {key_auth: {}}}
                  - {name: feed, match: {paths: [/feed]}, service: api, plugins: {key_auth: {header: X-Feed-Key, query: api_key}}}
                """.formatted(upstream.url()), Map.of("MOBILE_KEY", MOBILE_KEY));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
        if (headers.length > 0) b.headers(headers);
        return gw.send(b.build());
    }

    @Test
    void aConsumersKeyInTheHeaderAuthenticatesAndIsRemovedBeforeForwarding() {
        assertThat(get("/api/x", "X-API-Key", MOBILE_KEY).statusCode()).isEqualTo(200);

        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("mobile-app");
        assertThat(seen.header("X-Consumer-Groups")).isEqualTo("mobile");
        assertThat(seen.header("X-API-Key")).isNull();
    }

    @Test
    void everyKeyOfAConsumerWorks() {
        assertThat(get("/api/x", "X-API-Key", "mobile-previous-key-0000").statusCode()).isEqualTo(200);
        assertThat(get("/api/x", "X-API-Key", "partner-0123456789abcdef").statusCode()).isEqualTo(200);
        upstream.takeRequest();
        assertThat(upstream.takeRequest().header("X-Consumer-Name")).isEqualTo("partner");
    }

    @Test
    void aWrongKeyIs401WithAChallengeAndNoDetailAboutKeys() {
        HttpResponse<String> res = get("/api/x", "X-API-Key", MOBILE_KEY + "x");

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("ApiKey realm=\"portico\", header=\"X-API-Key\"");
        assertThat(ProblemJson.of(res).detail()).isEqualTo("the API key is not valid");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void noKeyIs401() {
        assertThat(get("/api/x").statusCode()).isEqualTo(401);
    }

    @Test
    void theQueryParameterIsReadOnlyWhereConfiguredAndRemovedKeepingTheRestOfTheQuery() {
        assertThat(get("/api/x?api_key=" + MOBILE_KEY).statusCode()).as("api has no query key").isEqualTo(401);

        assertThat(get("/feed/x?a=1&api_key=" + MOBILE_KEY + "&b=%2F&c").statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.target()).isEqualTo("/feed/x?a=1&b=%2F&c");
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("mobile-app");

        assertThat(get("/feed/x", "X-Feed-Key", MOBILE_KEY).statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-Feed-Key")).isNull();
    }

    @Test
    void moreThanOneKeyIs401WhicheverIsValid() {
        for (String query : new String[] {"?api_key=" + MOBILE_KEY + "&api_key=" + MOBILE_KEY, "?api_key=wrong-0123456789abcdef&api_key=" + MOBILE_KEY}) {
            HttpResponse<String> res = get("/feed/x" + query);

            assertThat(res.statusCode()).as(query).isEqualTo(401);
            assertThat(ProblemJson.of(res).detail()).isEqualTo("more than one API key was sent");
        }
        assertThat(get("/feed/x?api_key=" + MOBILE_KEY, "X-Feed-Key", MOBILE_KEY).statusCode()).as("header and query").isEqualTo(401);
        assertThat(get("/api/x", "X-API-Key", MOBILE_KEY, "X-API-Key", "partner-0123456789abcdef").statusCode()).as("two headers")
                .isEqualTo(401);
        assertThat(upstream.recorded()).isEmpty();
    }
}
