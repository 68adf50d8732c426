package dev.recingest.app;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh {@link Chromium} (fresh profile) for every test, its log named after the test, closed after it. */
final class ChromiumPerTest implements BeforeEachCallback, AfterEachCallback {

    private final Supplier<Path> logDir;
    private Chromium browser;

    ChromiumPerTest(Supplier<Path> logDir) {
        this.logDir = logDir;
    }

    Chromium browser() {
        return browser;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        browser = Chromium.launch(logDir.get().resolve(context.getRequiredTestMethod().getName() + "-browser.log"));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
