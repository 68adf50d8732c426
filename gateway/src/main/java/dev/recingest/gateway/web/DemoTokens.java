package dev.recingest.gateway.web;

/**
 * Mints the short-lived recorder token the demo page records with. Only the one-machine commands
 * ({@code all}, {@code demo}) supply one, since they hold the JWT secret for a developer at the same
 * machine; a production gateway has none and its demo page asks the page's owner for a token.
 */
@FunctionalInterface
public interface DemoTokens {

    /** Recording ids the demo page uses, and that its tokens cover: nothing else. */
    String PREFIX = "demo-";

    /** A token whose {@code rec_prefix} is {@link #PREFIX}, valid for {@code seconds}. */
    String issue(long seconds);
}
