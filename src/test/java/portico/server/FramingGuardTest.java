package portico.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import portico.error.ErrorKind;

/** The value-level rules of {@link FramingGuard}, one accepted or refused spelling per row. */
class FramingGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"chunked", "CHUNKED", "Chunked", " chunked", "chunked\t", "\t chunked  "})
    void loneChunkedInAnyCaseWithOwsIsAccepted(String value) {
        assertThat(FramingGuard.isLoneChunked(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "xchunked", "chunkedx", "chunked, chunked", "gzip, chunked", "chunked;q=1",
            "\u000bchunked", "chunked\f", "chunked\u0000", "ch unked", "identity"})
    void anythingElseIsNotChunked(String value) {
        assertThat(FramingGuard.isLoneChunked(value)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api.example.com", "API.Example.COM:8443", "localhost:", "127.0.0.1:80", "[::1]",
            "[::1]:8080", "[2001:db8::7]:443", "under_score.example", "xn--bcher-kva.example", "a%2eb", "a!$&'()*+;=b"})
    void validHostIsAccepted(String host) {
        assertThat(FramingGuard.isValidHost(host)).isTrue();
        assertThat(FramingGuard.check(get(host))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a.example, b.example", "a,b", "user@a.example", "a.example:80a", ":80", "[::1",
            "[]", "[::1]x", "::1", "a/b", "a\\b", "a?b", "a#b", "\"a\"", "a<b>"})
    void invalidHostIsMalformed(String host) {
        assertThat(FramingGuard.isValidHost(host)).isFalse();
        assertThat(FramingGuard.check(get(host)).kind()).isEqualTo(ErrorKind.MALFORMED);
    }

    private static HttpRequest get(String host) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("Host", host);
        return req;
    }
}
