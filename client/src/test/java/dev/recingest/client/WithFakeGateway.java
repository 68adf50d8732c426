package dev.recingest.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Tests against the scripted gateway: a fresh {@link FakeGateway} per test, closed after it. */
abstract class WithFakeGateway {

    protected FakeGateway gateway;

    @BeforeEach
    void startFakeGateway() throws Exception {
        gateway = new FakeGateway();
    }

    @AfterEach
    void closeFakeGateway() {
        gateway.close();
    }
}
