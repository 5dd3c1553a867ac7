package portico.config;

/**
 * How a service copes with failure: which target takes a request, when a request is tried again,
 * when the service is given a rest, how targets are checked, and what to answer when nothing can.
 * Every part has a default; see docs/resilience.md.
 *
 * @param balance          {@code balance}, default round_robin
 * @param retries          {@code retries}, default one retry of a connect that failed
 * @param circuitBreaker   {@code circuit_breaker}; null when the service has none (the default)
 * @param healthCheck      {@code health_check}; null when targets are not probed (the default)
 * @param outlierDetection {@code outlier_detection}: passive ejection on consecutive failures, on by default
 * @param fallback         {@code fallback}; null when the service has none (the default)
 */
public record ResilienceConfig(BalanceConfig balance, RetryConfig retries, BreakerConfig circuitBreaker,
                               HealthCheckConfig healthCheck, OutlierConfig outlierDetection, FallbackConfig fallback) {
    public static final ResilienceConfig DEFAULTS = new ResilienceConfig(BalanceConfig.DEFAULT, RetryConfig.UNCONFIGURED,
            null, null, OutlierConfig.DEFAULTS, null);
}
