package portico.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import portico.testing.FakeUpstream;
import portico.testing.GatewayUnderTest;
import portico.testing.ProblemJson;
import portico.testing.RecordedRequest;

/**
 * {@code acl} by consumer group, and the {@code anonymous} consumer: a route may take both
 * authenticated and anonymous callers, and the anonymous one has the groups of its
 * {@code consumers} entry when it has one.
 */
class AclTest {
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
                  admin:   {groups: [admins, staff], api_keys: [admin-key-0123456789abcdef]}
                  clerk:   {groups: [staff], api_keys: [clerk-key-0123456789abcdef]}
                  intern:  {groups: [staff, interns], api_keys: [intern-key-0123456789abcdef]}
                  visitor: {groups: [public]}
                  partner:
                    api_keys: [partner-key-0123456789abcdef]
                    plugins: {acl: {allow: [partners]}}
                plugins:
                  key_auth: {}
                routes:
                  - {name: admin, match: {paths: [/admin]}, service: api, plugins: {acl: {allow: [admins]}}}
                  - {name: staff, match: {paths: [/staff]}, service: api, plugins: {acl: {allow: [staff], deny: [interns]}}}
                  - name: catalog
                    match: {paths: [/catalog]}
                    service: api
                    plugins: {key_auth: {anonymous: visitor}, acl: {allow: [public, staff]}}
                  - name: guestbook
                    match: {paths: [/guestbook]}
                    service: api
                    plugins: {key_auth: {anonymous: stranger}, acl: {allow: [public]}}
                """.formatted(upstream.url()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
        if (key != null) b.header("X-API-Key", key);
        return gw.send(b.build());
    }

    @Test
    void aConsumerInAnAllowedGroupPassesAndOthersAre403() {
        assertThat(get("/admin/x", "admin-key-0123456789abcdef").statusCode()).isEqualTo(200);

        HttpResponse<String> clerk = get("/admin/x", "clerk-key-0123456789abcdef");
        assertThat(clerk.statusCode()).isEqualTo(403);
        assertThat(ProblemJson.of(clerk).detail()).isEqualTo("consumer 'clerk' is not in an allowed group");
    }

    @Test
    void aDeniedGroupWinsOverAnAllowedOne() {
        assertThat(get("/staff/x", "clerk-key-0123456789abcdef").statusCode()).isEqualTo(200);
        HttpResponse<String> intern = get("/staff/x", "intern-key-0123456789abcdef");
        assertThat(intern.statusCode()).isEqualTo(403);
        assertThat(ProblemJson.of(intern).detail()).isEqualTo("consumer 'intern' is in the denied group 'interns'");
    }

    @Test
    void theAnonymousConsumerIsUsedWithoutCredentialsAndHasItsConfiguredGroups() {
        assertThat(get("/catalog/x", null).statusCode()).isEqualTo(200);
        RecordedRequest seen = upstream.takeRequest();
        assertThat(seen.header("X-Consumer-Name")).isEqualTo("visitor");
        assertThat(seen.header("X-Consumer-Groups")).isEqualTo("public");

        assertThat(get("/catalog/x", "clerk-key-0123456789abcdef").statusCode()).isEqualTo(200);
        assertThat(upstream.takeRequest().header("X-Consumer-Name")).as("a credential wins over anonymous").isEqualTo("clerk");
    }

    @Test
    void anAnonymousConsumerWithoutAnEntryHasNoGroups() {
        HttpResponse<String> res = get("/guestbook/x", null);
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(ProblemJson.of(res).detail()).isEqualTo("consumer 'stranger' is not in an allowed group");
    }

    @Test
    void withoutAnonymousNoCredentialIs401BeforeAclIsAsked() {
        assertThat(get("/admin/x", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aConsumersOwnAclReplacesTheRoutes() {
        assertThat(get("/admin/x", "partner-key-0123456789abcdef").statusCode()).as("the partner's acl allows only partners").isEqualTo(403);
        assertThat(get("/staff/x", "partner-key-0123456789abcdef").statusCode()).isEqualTo(403);
    }
}
