package portico.plugin.ratelimit;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One key's state under one limit, as an immutable value swapped by compare-and-set: requests on
 * different event loops update it without a lock, and a lost race only means computing again.
 * Which state it holds depends on the limit's {@link Meter}.
 */
final class Cell extends AtomicReference<Object> {
}
