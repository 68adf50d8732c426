/**
 * The launcher: one artifact, subcommands {@code gateway}, {@code merger}, {@code all}, {@code demo},
 * {@code push} and {@code token}. This is the one place where the parts are wired together.
 */
package dev.recingest.app;
