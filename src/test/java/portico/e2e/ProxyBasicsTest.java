package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.RecordedRequest;

class ProxyBasicsTest {

    @Test
    void stripsPrefixAndKeepsQueryByteForByte() {
        try (FakeUpstream users = FakeUpstream.start().respond("/42", 200, "{\"id\":42}");
             GatewayUnderTest gw = GatewayUnderTest.start("""
                     version: 1
                     listen: 127.0.0.1:0
                     services: {users: {url: %s}}
                     routes:
                       - {name: users, match: {paths: [/users]}, service: users, strip_prefix: true}
                     """.formatted(users.url()))) {
            HttpResponse<String> res = gw.get("/users/42?b=2&a=%2F&a=x+y");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{\"id\":42}");
            assertThat(res.headers().firstValue("x-request-id")).isPresent();
            RecordedRequest seen = users.takeRequest();
            assertThat(seen.target()).isEqualTo("/42?b=2&a=%2F&a=x+y");
            assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
            assertThat(seen.header("x-forwarded-prefix")).isEqualTo("/users");
            assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + users.port());
        }
    }
}
