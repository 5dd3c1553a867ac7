package portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryParamsTest {

    @Test
    void removesEveryPairOfTheNameAndKeepsTheRestByteForByte() {
        assertThat(QueryParams.without("/a?x=1&api_key=s3&y=%2F&api_key=again&z", "api_key")).isEqualTo("/a?x=1&y=%2F&z");
        assertThat(QueryParams.without("/a?api_key=s3", "api_key")).isEqualTo("/a");
        assertThat(QueryParams.without("/a?api%5Fkey=s3&b", "api_key")).as("an encoded name is the same name").isEqualTo("/a?b");
        assertThat(QueryParams.without("/a?api_keys=1", "api_key")).isEqualTo("/a?api_keys=1");
        assertThat(QueryParams.without("/a", "api_key")).isEqualTo("/a");
    }

    @Test
    void readsTheFirstDecodedValue() {
        assertThat(QueryParams.first("a=1&t=x%2By&t=2", "t")).isEqualTo("x+y");
        assertThat(QueryParams.first("a=1", "t")).isNull();
        assertThat(QueryParams.first(null, "t")).isNull();
    }
}
