package portico.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private static final Template.Values VALUES = ref -> switch (ref.kind()) {
        case CAPTURE -> Map.of("id", "a b/c", "userId", "42").get(ref.name());
        case QUERY -> Map.of("q", "x&y=z").get(ref.name());
        case HEADER -> ref.name().equalsIgnoreCase("X-Evil") ? "a\r\nb" : null;
        case CONSUMER -> "mobile-app";
        case CLAIM -> Map.of("sub", "u-1").get(ref.name());
        case PART -> ref.part().equals("user") && ref.name().equals("account.id") ? "ACC-1" : null;
    };

    @Test
    void eachKindOfValueIsFilledIn() {
        Template t = Template.parse("{userId}|{query.q}|{consumer.name}|{claims.sub}|{user.account.id}", Set.of("user"));

        assertThat(t.render(VALUES, Template.Position.TEXT)).isEqualTo("42|x&y=z|mobile-app|u-1|ACC-1");
    }

    @Test
    void valuesArePercentEncodedForTheirPosition() {
        assertThat(Template.parse("/users/{id}", Set.of()).render(VALUES, Template.Position.PATH)).isEqualTo("/users/a%20b%2Fc");
        assertThat(Template.parse("q={query.q}&n=1", Set.of()).render(VALUES, Template.Position.QUERY)).isEqualTo("q=x%26y%3Dz&n=1");
        assertThat(Template.parse("one two", Set.of()).render(VALUES, Template.Position.QUERY_VALUE)).isEqualTo("one%20two");
        assertThat(Template.parse("/a b/%2F", Set.of()).render(VALUES, Template.Position.PATH)).isEqualTo("/a%20b/%2F");
    }

    @Test
    void aMissingValueMakesTheWholeRenderingMissingAndSaysWhich() {
        assertThat(Template.parse("x-{query.nope}", Set.of()).render(VALUES, Template.Position.TEXT)).isNull();
        assertThatThrownBy(() -> Template.parse("x-{query.nope}", Set.of()).fill(VALUES, Template.Position.HEADER))
                .isInstanceOf(Template.Unfilled.class).hasMessage("{query.nope} has no value in this request")
                .extracting("reason").isEqualTo(Template.Unfilled.Reason.MISSING);
    }

    @Test
    void aHeaderValueThatIsNotPrintableAsciiIsPercentEncodedAsUtf8() throws Exception {
        Template.Values v = ref -> Map.of("evil", "a\r\nX-Injected: 1", "name", "José 中", "plain", "50% off\tnow").get(ref.name());

        assertThat(Template.parse("{evil}", Set.of()).fill(v, Template.Position.HEADER)).isEqualTo("a%0D%0AX-Injected:%201");
        assertThat(Template.parse("n={name}", Set.of()).fill(v, Template.Position.HEADER)).isEqualTo("n=Jos%C3%A9%20%E4%B8%AD");
        assertThat(Template.parse("{plain}", Set.of()).fill(v, Template.Position.HEADER)).as("printable ASCII is as it is")
                .isEqualTo("50% off\tnow");
        assertThat(Template.parse("{evil}", Set.of()).fill(v, Template.Position.TEXT)).as("a JSON string escapes it itself")
                .isEqualTo("a\r\nX-Injected: 1");
    }

    @Test
    void aPathValueNeverMakesAnEmptyOrDotSegment() throws Exception {
        Template t = Template.parse("/x/{v}/y", Set.of());
        for (String bad : new String[] {"..", ".", ""}) {
            assertThatThrownBy(() -> t.fill(ref -> bad, Template.Position.PATH)).as(bad).isInstanceOf(Template.Unfilled.class)
                    .extracting("reason").isEqualTo(Template.Unfilled.Reason.REFUSED);
        }
        assertThatThrownBy(() -> Template.parse("/x/.{v}", Set.of()).fill(ref -> ".", Template.Position.PATH))
                .as("literal text and a value together").isInstanceOf(Template.Unfilled.class);
        assertThat(t.fill(ref -> "...", Template.Position.PATH)).isEqualTo("/x/.../y");
        assertThat(t.fill(ref -> "../..", Template.Position.PATH)).isEqualTo("/x/..%2F../y");
        assertThat(Template.parse("/x/item-{v}", Set.of()).fill(ref -> "", Template.Position.PATH)).isEqualTo("/x/item-");
    }

    @Test
    void literalDotSegmentsAreFoundForTheConfigReader() {
        assertThat(Template.parse("/x/../{v}/./y", Set.of()).literalDotSegments()).containsExactly("..", ".");
        assertThat(Template.parse("/x/%2E%2E/y", Set.of()).literalDotSegments()).containsExactly("..");
        assertThat(Template.parse("/x/{v}../y/.z", Set.of()).literalDotSegments()).isEmpty();
    }

    @Test
    void doubledBracesAreLiteral() {
        assertThat(Template.parse("{{x}} {userId}", Set.of()).render(VALUES, Template.Position.TEXT)).isEqualTo("{x} 42");
    }

    @Test
    void everyMistakeInOneTextIsReported() {
        assertThatThrownBy(() -> Template.parse("/{a b}/{nope.x}/{query}", Set.of())).isInstanceOfSatisfying(Template.Invalid.class,
                e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void mistakesAreReportedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Template.parse("/users/{id", Set.of())).hasMessageContaining("without its '}'");
        assertThatThrownBy(() -> Template.parse("/users/{user.id}", Set.of())).hasMessageContaining("{user.id} is unknown");
        assertThatThrownBy(() -> Template.parse("{consumer.groups}", Set.of())).hasMessageContaining("only {consumer.name}");
        assertThatThrownBy(() -> Template.parse("{orders.x}", Set.of("user"))).hasMessageContaining("parts: user");
        assertThatThrownBy(() -> Template.parse("{ id }", Set.of())).hasMessageContaining("is not a template value");
    }

    @Test
    void percentDecodingIsUtf8AndLeavesPlusAlone() {
        assertThat(Percent.decode("caf%C3%A9+x%2")).isEqualTo("café+x%2");
    }
}
