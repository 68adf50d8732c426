package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.gateway.http.AdminRoute;
import dev.recingest.gateway.web.WebHandler;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/openapi.yaml documents exactly the routes the gateway serves. */
class OpenApiDocTest {

    @Test
    void theDocumentListsExactlyTheAdminRoutesAndTheHealthEndpoints() {
        Set<String> code = Arrays.stream(AdminRoute.values()).map(r -> r.method() + " " + r.template())
                .collect(Collectors.toCollection(TreeSet::new));
        code.addAll(Set.of("GET /healthz", "GET /readyz", "GET /metrics"));
        code.addAll(WebHandler.ROUTES);
        assertEquals(code, OpenApiDoc.operations());
    }

    @Test
    void everyAdminOperationDocuments401AndEveryOneOnAnIdDocuments404() {
        for (AdminRoute r : AdminRoute.values()) {
            Set<String> statuses = OpenApiDoc.statuses(r.method(), r.template());
            assertTrue(statuses.contains("401"), r + " documents 401");
            assertTrue(statuses.contains("403"), r + " documents 403 (a recorder token where it may not go)");
            if (r.template().contains("{id}")) {
                assertTrue(statuses.contains("404") && statuses.contains("400"), r + " documents 400 and 404");
            }
        }
    }
}
