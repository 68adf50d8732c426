package dev.recingest.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of Grafana's dashboard JSON model that our dashboard uses, read strictly: a field Grafana does
 * not know under that name (a typo) or a missing required one fails the read. Plugin options and field
 * defaults stay open (each panel plugin defines its own).
 */
record Dashboard(@JsonProperty(required = true) String uid, @JsonProperty(required = true) String title,
                 String description, List<String> tags, String timezone, Boolean editable, Integer graphTooltip,
                 String refresh, @JsonProperty(required = true) Integer schemaVersion, Integer version, TimeRange time,
                 Templating templating, Annotations annotations, @JsonProperty(required = true) List<Panel> panels) {

    record TimeRange(@JsonProperty(required = true) String from, @JsonProperty(required = true) String to) {
    }

    record Templating(List<Variable> list) {
    }

    record Variable(@JsonProperty(required = true) String name, String label, @JsonProperty(required = true) String type,
                    String query, JsonNode current, Integer hide, Integer refresh, String regex, List<JsonNode> options) {
    }

    record Annotations(List<JsonNode> list) {
    }

    record Panel(@JsonProperty(required = true) Integer id, @JsonProperty(required = true) String type,
                 @JsonProperty(required = true) String title, String description, DataSourceRef datasource,
                 @JsonProperty(required = true) GridPos gridPos, List<Target> targets, FieldConfig fieldConfig,
                 Map<String, Object> options, Boolean collapsed, List<Panel> panels) {
    }

    record GridPos(@JsonProperty(required = true) Integer h, @JsonProperty(required = true) Integer w,
                   @JsonProperty(required = true) Integer x, @JsonProperty(required = true) Integer y) {
    }

    record DataSourceRef(@JsonProperty(required = true) String type, @JsonProperty(required = true) String uid) {
    }

    record Target(@JsonProperty(required = true) String refId, DataSourceRef datasource,
                  @JsonProperty(required = true) String expr, String legendFormat) {
    }

    record FieldConfig(@JsonProperty(required = true) Map<String, Object> defaults, List<JsonNode> overrides) {
    }

    static Dashboard read(Path file) throws IOException {
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .readValue(file.toFile(), Dashboard.class);
    }

    /** Every panel, rows' nested ones included. */
    List<Panel> allPanels() {
        List<Panel> all = new ArrayList<>();
        for (Panel p : panels) {
            all.add(p);
            if (p.panels() != null) {
                all.addAll(p.panels());
            }
        }
        return all;
    }

    /** Every query of every panel. */
    List<String> expressions() {
        return allPanels().stream().filter(p -> p.targets() != null).flatMap(p -> p.targets().stream())
                .map(Target::expr).toList();
    }
}
