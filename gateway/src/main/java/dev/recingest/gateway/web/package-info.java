/**
 * What a browser fetches from the gateway besides the API: the recorder ES module at
 * {@code /recorder/…} (always served), and, when the demo is enabled ({@code RECINGEST_DEMO}), the demo
 * page at {@code /demo/} and, in {@code all} only, the development token it records with. The files are
 * resources of the gateway's jar (copied from {@code web/} by the build), read once at startup; a fixed
 * list of names is all that is served, so no path can reach anything else.
 */
package dev.recingest.gateway.web;
