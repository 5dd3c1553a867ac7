package portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static portico.config.Configs.errors;
import static portico.config.Configs.valid;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} come from the environment before the YAML is read.
 * A value is data, never YAML syntax, and comments are never interpolated.
 */
class InterpolationTest {
    private static final String SERVICE = "version: 1\nservices:\n  users:\n";

    private static TargetConfig target(String yaml, Map<String, String> env) {
        return valid(yaml, env).services().get("users").targets().get(0);
    }

    private static Map<String, String> headers(String headersFlowMap, Map<String, String> env) {
        GatewayConfig c = valid("""
                version: 1
                services: {users: {url: http://127.0.0.1:1}}
                routes:
                  - name: r
                    service: users
                    match:
                      headers: %s
                """.formatted(headersFlowMap), env);
        return c.routes().get(0).match().headers();
    }

    @Test
    void aVariableIsReplacedByItsValue() {
        assertThat(target(SERVICE + "    url: ${USERS_URL}\n", Map.of("USERS_URL", "http://10.0.0.7:3002/api")))
                .extracting(TargetConfig::host, TargetConfig::port, TargetConfig::basePath)
                .containsExactly("10.0.0.7", 3002, "/api");
    }

    @Test
    void aVariableCanBePartOfAValue() {
        assertThat(target(SERVICE + "    url: http://${HOST}:${PORT}\n", Map.of("HOST", "users.internal", "PORT", "3002")))
                .extracting(TargetConfig::host, TargetConfig::port)
                .containsExactly("users.internal", 3002);
    }

    @Test
    void theDefaultIsUsedWhenTheVariableIsUnsetOrEmptyAsInTheShell() {
        String yaml = SERVICE + "    url: ${USERS_URL:-http://127.0.0.1:3002}\n";

        assertThat(target(yaml, Map.of()).port()).isEqualTo(3002);
        assertThat(target(yaml, Map.of("USERS_URL", "")).port()).isEqualTo(3002);
        assertThat(target(yaml, Map.of("USERS_URL", "http://127.0.0.1:4000")).port()).isEqualTo(4000);
    }

    @Test
    void anEmptyDefaultLeavesTheSettingOut() {
        GatewayConfig c = valid("version: 1\nshutdown_grace: ${GRACE:-}\n", Map.of());

        assertThat(c.shutdownGrace()).hasSeconds(30);
    }

    @Test
    void numbersFromTheEnvironmentAreStillNumbers() {
        GatewayConfig c = valid("version: ${VERSION}\nlimits: {max_connections: ${MAX_CONNECTIONS}}\n",
                Map.of("VERSION", "1", "MAX_CONNECTIONS", "500"));

        assertThat(c.limits().maxConnections()).isEqualTo(500);
    }

    @Test
    void commentsAreNeverInterpolatedSoACommentedOutLineNeverFails() {
        GatewayConfig c = valid("""
                # listen: ${NOT_SET}
                version: 1   # ${ALSO_NOT_SET} is fine here
                listen: 127.0.0.1:${PORT:-8081}  # and here: ${NOR_THIS}
                """, Map.of());

        assertThat(c.listen()).extracting(ListenerConfig::port).containsExactly(8081);
    }

    @Test
    void aHashInsideQuotesIsNotAComment() {
        assertThat(headers("{X-Key: \"a #${KEY}\", X-Other: 'b #${KEY}'}", Map.of("KEY", "k")))
                .containsEntry("x-key", "a #k").containsEntry("x-other", "b #k");
    }

    @Test
    void aValueFullOfYamlSyntaxArrivesAsExactlyThoseCharacters() {
        String secret = "s3cr3t, [x]: #y {z} *a &b !c \"q\" 'p' \\ %";

        assertThat(headers("{X-Plain: ${SECRET}, X-Double: \"${SECRET}\", X-Single: '${SECRET}'}", Map.of("SECRET", secret)))
                .containsEntry("x-plain", secret).containsEntry("x-double", secret).containsEntry("x-single", secret);
    }

    @Test
    void aValueInABlockMappingArrivesVerbatimToo() {
        GatewayConfig c = valid("""
                version: 1
                services: {users: {url: http://127.0.0.1:1}}
                routes:
                  - name: r
                    service: users
                    match:
                      query:
                        token: ${TOKEN}
                        spaced: ${SPACED}   # a comment after it
                """, Map.of("TOKEN", "- not: a list", "SPACED", " padded "));

        assertThat(c.routes().get(0).match().query()).containsEntry("token", "- not: a list").containsEntry("spaced", " padded ");
    }

    @Test
    void aDoubledDollarWritesALiteralDollarBrace() {
        assertThat(headers("{X-Template: \"$${NOT_A_VARIABLE}\"}", Map.of())).containsEntry("x-template", "${NOT_A_VARIABLE}");
    }

    @Test
    void aLineBreakInAValueThatCannotHoldOneIsAnError() {
        assertThat(errors(SERVICE + "    url: http://${HOST}\n", Map.of("HOST", "a\nb: c"))).containsExactly(
                "test.yaml:4:17: services.users.url: environment variable HOST holds a line break; put ${HOST} in double quotes");
    }

    @Test
    void anUnsetVariableInsideALongerValueIsReportedOnce() {
        assertThat(errors(SERVICE + "    url: http://${USERS_HOST}:3002\n")).containsExactly(
                "test.yaml:4:17: services.users.url: environment variable USERS_HOST is not set (use ${USERS_HOST:-default} for a default)");
    }

    @Test
    void anUnsetVariableInAFlowListIsReportedAtItsDollarSign() {
        assertThat(errors("version: 1\ntrusted_proxies: [127.0.0.1/32, ${PROXY}]\n")).containsExactly(
                "test.yaml:2:33: trusted_proxies[1]: environment variable PROXY is not set (use ${PROXY:-default} for a default)");
    }

    @Test
    void anUnterminatedOrNamelessVariableIsAnError() {
        assertThat(errors("version: 1\nshutdown_grace: ${GRACE\n")).containsExactly(
                "test.yaml:2:17: shutdown_grace: unterminated '${' (expected: ${NAME} or ${NAME:-default})");
        assertThat(errors("version: 1\nshutdown_grace: ${}\n")).containsExactly(
                "test.yaml:2:17: shutdown_grace: '${}' is not a variable: a name has letters, digits and '_' (write $${ for a literal ${)");
    }

    @Test
    void windowsLineEndsDoNotChangeHowAValueIsQuoted() {
        assertThat(headers("{X-Key: ${SECRET}}\r\n", Map.of("SECRET", "a, b"))).containsEntry("x-key", "a, b");
    }
}
