package dev.recingest.app;

/**
 * A backend (Redis, S3) that cannot be reached when a process starts. The process prints the message, one
 * line naming the address and what to check, and exits 1 rather than retrying: a supervisor (Docker's
 * restart policy, Kubernetes) restarts it with backoff, and the cause stays in plain sight instead of a
 * process that runs but cannot serve. Once started, an outage is survived instead (readiness 503,
 * retryable nacks, Lettuce reconnecting).
 */
final class StartupFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
