package portico.upstream.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BalancerTest {
    record T(String name, int weight) {}

    private static final T A = new T("a", 3);
    private static final T B = new T("b", 1);

    @Test
    void smoothWeightedRoundRobinInterleavesHeavyTargets() {
        SmoothWeightedRoundRobin<T> rr = new SmoothWeightedRoundRobin<>(T::weight);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 8; i++) order.add(rr.pick(List.of(A, B), null).name());
        assertThat(order).containsExactly("a", "a", "b", "a", "a", "a", "b", "a");
    }

    @Test
    void smoothWeightedRoundRobinSkipsTargetsThatAreNotCandidates() {
        SmoothWeightedRoundRobin<T> rr = new SmoothWeightedRoundRobin<>(T::weight);
        for (int i = 0; i < 5; i++) assertThat(rr.pick(List.of(B), null)).isEqualTo(B);
    }

    @Test
    void leastRequestsAvoidsTheBusyTarget() {
        Map<T, Integer> busy = Map.of(A, 5, B, 0);
        LeastRequests<T> lr = new LeastRequests<>(busy::get, t -> 1);
        for (int i = 0; i < 4; i++) assertThat(lr.pick(List.of(A, B), null)).isEqualTo(B);
    }

    @Test
    void leastRequestsSpreadsTiesRoundRobin() {
        LeastRequests<T> lr = new LeastRequests<>(t -> 0, t -> 1);
        assertThat(List.of(lr.pick(List.of(A, B), null), lr.pick(List.of(A, B), null))).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void powerOfTwoChoicesTakesTheLessLoadedOfTwoDistinctDraws() {
        Map<T, Integer> busy = Map.of(A, 9, B, 1);
        Random seeded = new Random(42);
        PowerOfTwoChoices<T> p2c = new PowerOfTwoChoices<>(busy::get, seeded::nextInt);
        for (int i = 0; i < 20; i++) assertThat(p2c.pick(List.of(A, B), null)).isEqualTo(B);
    }

    @Test
    void hashRingSendsTheSameKeyToTheSameTarget() {
        List<T> all = targets(5);
        HashRing<T> ring = new HashRing<>(all, T::name, T::weight);
        for (int i = 0; i < 100; i++) {
            String key = "user-" + i;
            assertThat(ring.pick(all, key)).isEqualTo(ring.pick(all, key));
        }
    }

    @Test
    void removingOneOfNTargetsRemapsAboutOneNthOfTheKeys() {
        int n = 5;
        List<T> all = targets(n);
        HashRing<T> ring = new HashRing<>(all, T::name, T::weight);
        List<T> without = new ArrayList<>(all);
        T removed = without.remove(2);
        int keys = 10_000;
        int moved = 0;
        int ownedByRemoved = 0;
        for (int i = 0; i < keys; i++) {
            String key = "user-" + i;
            T before = ring.pick(all, key);
            T after = ring.pick(without, key);
            if (!before.equals(after)) moved++;
            if (before.equals(removed)) ownedByRemoved++;
        }
        // Only the removed target's keys move, and it owned about 1/N of them.
        assertThat(moved).isEqualTo(ownedByRemoved);
        assertThat((double) moved / keys).isBetween(1.0 / n * 0.6, 1.0 / n * 1.4);
    }

    @Test
    void hashRingSpreadsKeysEvenly() {
        List<T> all = targets(4);
        HashRing<T> ring = new HashRing<>(all, T::name, T::weight);
        Map<T, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20_000; i++) counts.merge(ring.pick(all, "203.0.113." + i % 256 + "/" + i), 1, Integer::sum);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(3500, 6500));
    }

    private static List<T> targets(int n) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new T("10.0.0." + i + ":80", 1));
        return out;
    }
}
