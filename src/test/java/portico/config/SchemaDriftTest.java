package portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/portico.schema.json (what editors complete and check), the keys ConfigReader declares (what
 * {@code check} accepts) and the kitchen-sink config (every key, used once) are one set of keys, so
 * none of them can change without the others. Key paths are written as ConfigNode writes them:
 * {@code services.*.timeouts.connect} for map entries, {@code routes[].match.paths} for list items.
 */
class SchemaDriftTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path SCHEMA_FILE = Path.of("docs/portico.schema.json");
    private static final Path EXAMPLE = Path.of("examples/ecommerce/portico.yaml");

    private static JsonNode schemaJson;
    private static Schema schema;
    private static Path kitchenSink;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        String text = Files.readString(SCHEMA_FILE);
        schemaJson = JSON.readTree(text);
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text, InputFormat.JSON);
        kitchenSink = Path.of(SchemaDriftTest.class.getResource("/portico/config/kitchen-sink.yaml").toURI());
    }

    @Test
    void theSchemaDeclaresExactlyTheKeysTheReaderDeclares() {
        ConfigLoader.Result read = new ConfigLoader(Map.of()).load(kitchenSink);

        assertThat(read.problems().all()).isEmpty();
        assertThat(pluginsOnce(keys(schemaJson, "", schemaJson))).as("keys in the schema, compared with the keys ConfigReader declares")
                .containsExactlyInAnyOrderElementsOf(pluginsOnce(read.declaredKeys()));
    }

    @Test
    void theKitchenSinkUsesEveryKey() throws IOException {
        JsonNode config = YAML.readTree(kitchenSink.toFile());

        assertThat(pluginsOnce(used(config, schemaJson, "", schemaJson))).as("keys the kitchen sink uses, compared with the schema's")
                .containsExactlyInAnyOrderElementsOf(pluginsOnce(keys(schemaJson, "", schemaJson)));
    }

    @Test
    void theSchemaIsAValidDraft202012Schema() {
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));

        assertThat(meta.validate(schemaJson.toString(), InputFormat.JSON)).isEmpty();
    }

    @Test
    void theKitchenSinkAndTheExampleValidateAgainstTheSchema() throws IOException {
        assertThat(validate(Files.readString(kitchenSink))).isEmpty();
        assertThat(validate(Files.readString(EXAMPLE))).isEmpty();
    }

    @Test
    void anUnknownKeyFailsBothTheSchemaAndTheReader() throws IOException {
        String yaml = Files.readString(kitchenSink).replace("    strip_prefix: true", "    strip_prefx: true");

        assertThat(validate(yaml)).extracting(Error::getInstanceLocation).asString().contains("routes", "0");
        assertThat(new ConfigLoader(Map.of()).parse(kitchenSink.toString(), yaml).problems().errors())
                .extracting(Problem::path).containsExactly("routes[0].strip_prefx");
    }

    @Test
    void valuesTheReaderRefusesTheSchemaRefusesToo() {
        for (String bad : List.of(
                "version: 2",
                "version: 1\nshutdown_grace: 5 seconds",
                "version: 1\nlimits: {max_body_bytes: 10 megabytes}",
                "version: 1\nlimits: {header_timeout: 0s}",
                "version: 1\nservices: {users: {url: 127.0.0.1:3002}}",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1', targets: [{url: 'http://127.0.0.1:2'}]}}",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1'}}\nroutes: [{name: r, service: users, match: {paths: [users]}}]",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1'}}\nroutes: [{name: r, service: users}]",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1', balance: fastest}}",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1', retries: {on: [resets]}}}",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1', circuit_breaker: {failure_rate: 0.5}}}",
                "version: 1\nservices: {users: {url: 'http://127.0.0.1:1', health_check: {interval: 5s}}}",
                "version: 1\nconsumers: {a: {basic_auth: {username: a, password: wonderland}}}",
                "version: 1\nconsumers: {a: {jwt: {issuer: a, secret: short}}}",
                "version: 1\nplugins: {jwt: {algorithms: [none]}}",
                "version: 1\nplugins: {acl: {}}",
                "version: 1\nplugins: {ip_restriction: {allow: [not-an-address]}}",
                "version: 1\nplugins: {cors: {methods: [GET]}}")) {
            assertThat(validate(bad)).as(bad).isNotEmpty();
            assertThat(Configs.errors(bad)).as(bad).isNotEmpty();
        }
    }

    /**
     * A plugin's settings are the same at every scope (one {@code $defs/plugins} in the schema), so
     * {@code routes[].plugins.jwt.issuer} counts as {@code plugins.jwt.issuer}: the kitchen sink
     * needs each plugin key once, at any scope.
     */
    private static Set<String> pluginsOnce(Set<String> keys) {
        Set<String> out = new TreeSet<>();
        for (String k : keys) out.add(k.replaceFirst("^(routes\\[\\]|services\\.\\*|consumers\\.\\*)\\.plugins\\.", "plugins."));
        return out;
    }

    private static List<Error> validate(String yaml) {
        try {
            return schema.validate(JSON.writeValueAsString(YAML.readTree(yaml)), InputFormat.JSON);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every key path the schema allows: a property adds {@code .name}, a map value {@code .*}, a list item {@code []}. */
    private static Set<String> keys(JsonNode s, String at, JsonNode root) {
        Set<String> out = new TreeSet<>();
        JsonNode ref = s.get("$ref");
        if (ref != null) out.addAll(keys(root.at(ref.asText().substring(1)), at, root));
        for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
            if (s.has(combinator)) s.get(combinator).forEach(branch -> out.addAll(keys(branch, at, root)));
        }
        if (s.has("properties")) {
            for (Iterator<String> it = s.get("properties").fieldNames(); it.hasNext(); ) {
                String key = it.next();
                String path = at.isEmpty() ? key : at + "." + key;
                out.add(path);
                out.addAll(keys(s.get("properties").get(key), path, root));
            }
        }
        if (s.has("additionalProperties") && s.get("additionalProperties").isObject()) {
            out.addAll(keys(s.get("additionalProperties"), at + ".*", root));
        }
        if (s.has("items")) out.addAll(keys(s.get("items"), at + "[]", root));
        return out;
    }

    /** The key paths a config actually uses, found by walking it beside the schema. */
    private static Set<String> used(JsonNode config, JsonNode s, String at, JsonNode root) {
        Set<String> out = new TreeSet<>();
        JsonNode ref = s.get("$ref");
        if (ref != null) out.addAll(used(config, root.at(ref.asText().substring(1)), at, root));
        for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
            if (s.has(combinator)) s.get(combinator).forEach(branch -> out.addAll(used(config, branch, at, root)));
        }
        if (config.isObject() && s.has("properties")) {
            config.fields().forEachRemaining(e -> {
                JsonNode property = s.get("properties").get(e.getKey());
                if (property == null) return;
                String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
                out.add(path);
                out.addAll(used(e.getValue(), property, path, root));
            });
        }
        if (config.isObject() && s.has("additionalProperties") && s.get("additionalProperties").isObject()) {
            config.forEach(v -> out.addAll(used(v, s.get("additionalProperties"), at + ".*", root)));
        }
        if (config.isArray() && s.has("items")) {
            config.forEach(v -> out.addAll(used(v, s.get("items"), at + "[]", root)));
        }
        return out;
    }
}
