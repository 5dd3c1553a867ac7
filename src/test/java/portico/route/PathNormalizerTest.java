package portico.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # raw                        | normalized
            /                            | /
            /users                       | /users
            /users/                      | /users/
            /a/./b/../c                  | /a/c
            /a/b/..                      | /a/
            /a/b/.                       | /a/b/
            /a/.                         | /a/
            /..                          | /
            /../../a                     | /a
            /a/../../../b                | /b
            /a/%2e%2e/b                  | /b
            /a/%2E%2E/b                  | /b
            /a/.%2e/b                    | /b
            /a/%2e/b                     | /a/b
            /public/..%2Fadmin           | /public/..%2Fadmin
            /public/..%2fadmin           | /public/..%2Fadmin
            /public/%2e%2e%2fadmin       | /public/..%2Fadmin
            /a%2fb                       | /a%2Fb
            /a%3a%40                     | /a%3A%40
            /%61dmin                     | /admin
            /%7Euser/%2D%5F%2E           | /~user/-_.
            //a///b//                    | /a/b/
            //                           | /
            /a/..%2F..%2Fb               | /a/..%2F..%2Fb
            /.well-known/x               | /.well-known/x
            /a/...                       | /a/...
            /a:b@c!$&'()*+,;=            | /a:b@c!$&'()*+,;=
            /a b                         | /a%20b
            """)
    void normalizes(String raw, String normalized) {
        assertThat(PathNormalizer.normalize(raw)).isEqualTo(normalized);
    }

    @Test
    void charactersAPathMayNotCarryRawArePercentEncoded() {
        assertThat(PathNormalizer.normalize("/x|y{z}^`\"<>")).isEqualTo("/x%7Cy%7Bz%7D%5E%60%22%3C%3E");
    }

    @Test
    void bytesAboveAsciiArePercentEncodedAsTheByteTheyCameFrom() {
        // Netty decodes the request line one char per byte: "é" in UTF-8 arrives as two chars
        assertThat(PathNormalizer.normalize("/caf\u00c3\u00a9")).isEqualTo("/caf%C3%A9");
    }

    @Test
    void anAlreadyNormalPathIsReturnedAsIs() {
        String path = "/users/42/orders";
        assertThat(PathNormalizer.normalize(path)).isSameAs(path);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # raw                 | message contains
            users                 | must start with '/'
            ''                    | must start with '/'
            /a%00b                | NUL
            /a%5Cb                | backslash
            /a%5cb                | backslash
            /public/..%5Cadmin    | backslash
            /a%                   | malformed
            /a%2                  | malformed
            /a%zz                 | malformed
            /a%2g/b               | malformed
            """)
    void refuses(String raw, String message) {
        assertThatThrownBy(() -> PathNormalizer.normalize(raw))
                .isInstanceOf(BadPathException.class)
                .hasMessageContaining(message);
    }

    @Test
    void refusesRawControlCharactersNulAndBackslash() {
        for (String raw : new String[] {"/a\u0000b", "/a\nb", "/a\tb", "/a\u007fb", "/a\\b", "/public\\..\\admin"}) {
            assertThatThrownBy(() -> PathNormalizer.normalize(raw)).as(raw).isInstanceOf(BadPathException.class);
        }
    }

    @Test
    void refusesACharThatCannotComeFromTheWire() {
        assertThatThrownBy(() -> PathNormalizer.normalize("/\u20ac")).isInstanceOf(BadPathException.class);
    }

    @Test
    void badPathExceptionIsStackless() {
        assertThat(new BadPathException("x").getStackTrace()).isEmpty();
    }
}
