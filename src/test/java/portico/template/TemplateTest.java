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
    void aMissingValueOrAControlCharacterMakesTheWholeRenderingMissing() {
        assertThat(Template.parse("x-{query.nope}", Set.of()).render(VALUES, Template.Position.TEXT)).isNull();
        assertThat(Template.parse("{header.X-Evil}", Set.of()).render(VALUES, Template.Position.TEXT)).isNull();
    }

    @Test
    void doubledBracesAreLiteral() {
        assertThat(Template.parse("{{x}} {userId}", Set.of()).render(VALUES, Template.Position.TEXT)).isEqualTo("{x} 42");
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
