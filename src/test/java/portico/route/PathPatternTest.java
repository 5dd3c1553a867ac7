package portico.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

    /** captures are written "a=1;b=2"; "-" in matched means no match. */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # pattern                         | path              | matched prefix | remainder | captures
            /                                 | /                 | ''             | /         | ''
            /                                 | /anything/at/all  | ''             | /anything/at/all | ''
            /users                            | /users            | /users         | /         | ''
            /users                            | /users/           | /users         | /         | ''
            /users                            | /users/1          | /users         | /1        | ''
            /users                            | /usersX           | -              | null      | ''
            /users                            | /user             | -              | null      | ''
            /users/                           | /users            | /users         | /         | ''
            /users$                           | /users            | /users         | /         | ''
            /users$                           | /users/           | -              | null      | ''
            /users$                           | /users/1          | -              | null      | ''
            /users/$                          | /users/           | /users/        | /         | ''
            /users/$                          | /users            | -              | null      | ''
            /$                                | /                 | /              | /         | ''
            /$                                | /a                | -              | null      | ''
            /users/{id}                       | /users/42         | /users/42      | /         | id=42
            /users/{id}                       | /users/42/orders  | /users/42      | /orders   | id=42
            /users/{id}                       | /users/           | -              | null      | ''
            /users/{id}                       | /users            | -              | null      | ''
            /users/{id}$                      | /users/42/orders  | -              | null      | ''
            /users/{id}/orders/{order}        | /users/7/orders/9 | /users/7/orders/9 | /      | id=7;order=9
            /files/{name}                     | /files/a%2Fb      | /files/a%2Fb   | /         | name=a%2Fb
            /%7euser                          | /~user            | /~user         | /         | ''
            /a%2fb                            | /a%2Fb            | /a%2Fb         | /         | ''
            /café                             | /caf%C3%A9        | /caf%C3%A9     | /         | ''
            /Users                            | /users            | -              | null      | ''
            ~^/re(?<id>\\d+)$                 | /re42             | /re42          | /         | id=42
            ~^/re(?<id>\\d+)$                 | /re42/x           | -              | null      | ''
            ~/re(?<id>\\d+)                   | /re42/x           | /re42          | /x        | id=42
            ~/re(?<id>\\d+)                   | /re42x            | -              | null      | ''
            ~/v\\d+/                          | /v1/x             | /v1            | /x        | ''
            ~^/(?<a>x)?y                      | /y                | /y             | /         | ''
            ~^/a[(?<no>]                      | /a(                | /a(           | /         | ''
            ~.*                               | /any/thing        | /any/thing     | /         | ''
            ~^/api                            | /x/api            | -              | null      | ''
            """)
    void matches(String pattern, String path, String prefix, String remainder, String captures) {
        PathPattern.Match m = PathPattern.compile(pattern.replace("\\\\", "\\")).match(path);
        if (prefix.equals("-")) {
            assertThat(m).isNull();
            return;
        }
        assertThat(m).isNotNull();
        assertThat(m.matchedPrefix()).isEqualTo(prefix);
        assertThat(m.remainder()).isEqualTo(remainder);
        Map<String, String> expected = new LinkedHashMap<>();
        for (String kv : captures.split(";")) {
            if (!kv.isEmpty()) expected.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        assertThat(m.captures()).containsExactlyEntriesOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            # pattern              | message contains
            users                  | starts with '/'
            ""                     | must not be empty
            /users/{}              | capture without a name
            /users/{id}/x/{id}     | captures 'id' twice
            /users/{id}.json       | must be a whole segment
            /users/x{id}           | must be a whole segment
            /users/{1id}           | starts with a letter
            /users/{a.b}           | starts with a letter
            /a//b                  | empty segment
            /a/../b                | '..' segment
            /a/./b                 | '.' segment
            /a/%2e%2e              | '..' segment
            /a%zz                  | malformed
            /a%00                  | NUL
            /a\\b                  | backslash
            ~                      | must be followed by a regex
            ~^/re(                 | invalid regex
            ~^/re(?<id>\\d+)(?<id>x) | invalid regex
            """)
    void refusesWithAMessageForTheUser(String pattern, String message) {
        assertThatThrownBy(() -> PathPattern.compile(pattern.replace("\\\\", "\\")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void reportsCaptureNamesInOrder() {
        assertThat(PathPattern.compile("/a/{x}/b/{y}").captureNames()).containsExactly("x", "y");
        assertThat(PathPattern.compile("~^/(?<year>\\d{4})/(?<slug>[a-z-]+)").captureNames()).containsExactly("year", "slug");
    }

    @Test
    void regexGroupLookalikesInClassesOrQuotesAreNotCaptures() {
        assertThat(PathPattern.compile("~^/a[(?<no>]").captureNames()).isEmpty();
        assertThat(PathPattern.compile("~^/\\Q(?<no>)\\E").captureNames()).isEmpty();
    }

    @Test
    void tellsExactPrefixAndRegexApart() {
        assertThat(PathPattern.compile("/a$").isExact()).isTrue();
        assertThat(PathPattern.compile("/a").isExact()).isFalse();
        assertThat(PathPattern.compile("~^/a$").isRegex()).isTrue();
        assertThat(PathPattern.compile("/a$").text()).isEqualTo("/a$");
    }

    @Test
    void aLiteralDollarInsideThePatternIsAPathCharacter() {
        assertThat(PathPattern.compile("/a$b").match("/a$b/c")).isNotNull();
    }
}
