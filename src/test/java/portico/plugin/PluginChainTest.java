package portico.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import portico.error.ErrorKind;
import portico.error.GatewayException;
import portico.http.Exchange;
import portico.http.Identity;

/** The chain's contract, without sockets: order, short-circuits, authentication, consumer overrides, the loop. */
class PluginChainTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final List<String> ran = new ArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private Exchange exchange() {
        Exchange ex = new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), loop, "id", "127.0.0.1",
                0, "/", null);
        ex.upstreamHeaders(new DefaultHttpHeaders());
        return ex;
    }

    private Plugin step(String name) {
        return new Plugin() {
            @Override
            public CompletionStage<Verdict> onRequest(Exchange ex) {
                ran.add(name);
                return Verdict.PROCEED;
            }

            @Override
            public void onResponse(Exchange ex, io.netty.handler.codec.http.HttpResponse head) {
                ran.add("~" + name);
            }
        };
    }

    private static Authenticator accepting(String consumer) {
        return new AuthPlugin(ex -> CompletableFuture.completedStage(new Identity(consumer, null, List.of("staff"), Map.of())));
    }

    private static Authenticator noCredential() {
        return new AuthPlugin(ex -> CompletableFuture.completedStage(Identity.NONE));
    }

    private record AuthPlugin(java.util.function.Function<Exchange, CompletionStage<Identity>> f) implements Authenticator, Plugin {
        @Override
        public CompletionStage<Identity> authenticate(Exchange ex) {
            return f.apply(ex);
        }

        @Override
        public String challenge() {
            return "Bearer";
        }

        @Override
        public CompletionStage<Verdict> onRequest(Exchange ex) {
            return Verdict.PROCEED;
        }
    }

    private static Verdict await(CompletionStage<Verdict> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void pluginsRunInTheirListedOrderAndResponsesUnwindInReverse() throws Exception {
        PluginChain chain = new PluginChain(List.of(step("cors")), List.of(),
                List.of(new PluginChain.Named("acl", Phase.ACL, step("acl")), new PluginChain.Named("rate_limit", Phase.RATE_LIMIT, step("rate_limit"))),
                Map.of(), null, List.of());
        Exchange ex = exchange();

        assertThat(await(chain.onRequest(ex))).isInstanceOf(Verdict.Proceed.class);
        PluginChain.onResponse(ex, new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        assertThat(ran).containsExactly("cors", "acl", "rate_limit", "~rate_limit", "~acl", "~cors");
    }

    @Test
    void aPluginThatAnswersStopsTheChain() throws Exception {
        Plugin preflight = ex -> {
            ran.add("cors");
            return Verdict.respond(Verdict.Respond.of(204));
        };
        PluginChain chain = new PluginChain(List.of(preflight), List.of(), List.of(new PluginChain.Named("acl", Phase.ACL, step("acl"))),
                Map.of(), null, List.of());

        Verdict v = await(chain.onRequest(exchange()));

        assertThat(v).isInstanceOfSatisfying(Verdict.Respond.class, r -> assertThat(r.status()).isEqualTo(204));
        assertThat(ran).containsExactly("cors");
    }

    @Test
    void anAsynchronousPluginResumesTheChainOnTheExchangesLoop() throws Exception {
        List<Boolean> onLoop = new ArrayList<>();
        Plugin slow = ex -> CompletableFuture.supplyAsync(() -> (Verdict) new Verdict.Proceed());
        Plugin after = ex -> {
            onLoop.add(loop.inEventLoop());
            return Verdict.PROCEED;
        };
        PluginChain chain = new PluginChain(List.of(), List.of(),
                List.of(new PluginChain.Named("a", Phase.ACL, slow), new PluginChain.Named("b", Phase.RATE_LIMIT, after)), Map.of(), null, List.of());

        // The relay starts the chain on the loop; the slow plugin completes on a pool thread.
        await(loop.submit(() -> chain.onRequest(exchange())).get(5, TimeUnit.SECONDS));

        assertThat(onLoop).containsExactly(true);
    }

    @Test
    void anyOneAuthenticatorSucceedingAuthenticatesAndTellsTheUpstreamWho() throws Exception {
        PluginChain chain = new PluginChain(List.of(), List.of(noCredential(), accepting("mobile-app")), List.of(), Map.of(), null, List.of());
        Exchange ex = exchange();

        await(chain.onRequest(ex));

        assertThat(ex.identity().consumer()).isEqualTo("mobile-app");
        assertThat(ex.upstreamHeaders().get("X-Consumer-Name")).isEqualTo("mobile-app");
        assertThat(ex.upstreamHeaders().get("X-Consumer-Groups")).isEqualTo("staff");
    }

    @Test
    void noCredentialAtAllIs401WithEveryChallenge() {
        PluginChain chain = new PluginChain(List.of(), List.of(noCredential(), noCredential()), List.of(), Map.of(), null, List.of());

        CompletableFuture<Verdict> result = chain.onRequest(exchange()).toCompletableFuture();

        assertThat(result).failsWithin(java.time.Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
                    assertThat(e.headers().getAll("WWW-Authenticate")).containsExactly("Bearer", "Bearer");
                });
    }

    @Test
    void theAnonymousConsumerIsUsedWhenNothingAuthenticates() throws Exception {
        PluginChain chain = new PluginChain(List.of(), List.of(noCredential()), List.of(), Map.of(), "guest", List.of());
        Exchange ex = exchange();

        await(chain.onRequest(ex));

        assertThat(ex.identity().consumer()).isEqualTo("guest");
    }

    @Test
    void theAnonymousConsumerCarriesItsConfiguredGroupsToTheUpstream() throws Exception {
        PluginChain chain = new PluginChain(List.of(), List.of(noCredential()), List.of(), Map.of(), "guest",
                List.of("public", "trial"), List.of());
        Exchange ex = exchange();

        await(chain.onRequest(ex));

        assertThat(ex.identity().groups()).containsExactly("public", "trial");
        assertThat(ex.upstreamHeaders().get("X-Consumer-Name")).isEqualTo("guest");
        assertThat(ex.upstreamHeaders().get("X-Consumer-Groups")).isEqualTo("public, trial");
    }

    @Test
    void aConsumersOwnPluginReplacesTheRoutesAndOffRemovesIt() throws Exception {
        PluginChain chain = new PluginChain(List.of(), List.of(accepting("partner")),
                List.of(new PluginChain.Named("acl", Phase.ACL, step("route-acl")),
                        new PluginChain.Named("rate_limit", Phase.RATE_LIMIT, step("route-limit"))),
                Map.of("partner", Map.of("rate_limit", Optional.of(step("partner-limit")), "acl", Optional.empty())), null, List.of());

        await(chain.onRequest(exchange()));

        assertThat(ran).containsExactly("partner-limit");
    }
}
