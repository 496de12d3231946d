package com.example.fargate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdkeksfargateprofile.FargatePod;
import io.github.cdkeksfargateprofile.FargateProfile;
import io.github.cdkeksfargateprofile.FargateProfileSelection;
import io.github.cdkeksfargateprofile.FargateProfileSelector;
import io.github.cdkeksfargateprofile.FargateScheduling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.eks_v2.Cluster;
import software.amazon.awscdk.services.eks_v2.ClusterAttributes;
import software.amazon.awscdk.services.eks_v2.ICluster;

/** The Java app against the TypeScript reference (REFERENCE_DIR, written by test/languages/run.ts). */
class ReferenceStacksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE = Path.of(System.getenv("REFERENCE_DIR"));

    private static JsonNode expected() throws IOException {
        return JSON.readTree(REFERENCE.resolve("expected.json").toFile());
    }

    /** JSON equality; numbers by value (jsii hands Java every number as a double). */
    private static boolean jsonEqual(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber() ? Double.compare(x.doubleValue(), y.doubleValue()) : x.equals(y) ? 0 : 1, b);
    }

    @TestFactory
    Stream<DynamicTest> templatesEqualTheTypeScriptReference() throws IOException {
        List<Stack> stacks = ReferenceStacks.define(new App(AppProps.builder().analyticsReporting(false).build()));
        TreeSet<String> references;
        try (Stream<Path> files = Files.list(REFERENCE)) {
            references = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".template.json"))
                    .map(n -> n.substring(0, n.length() - ".template.json".length())).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(references, stacks.stream().map(Stack::getStackName).collect(Collectors.toCollection(TreeSet::new)));
        return stacks.stream().map(stack -> DynamicTest.dynamicTest(stack.getStackName(), () -> {
            JsonNode reference = JSON.readTree(REFERENCE.resolve(stack.getStackName() + ".template.json").toFile());
            JsonNode actual = JSON.valueToTree(Template.fromStack(stack).toJSON());
            assertTrue(jsonEqual(reference, actual), () -> stack.getStackName() + " differs from the TypeScript template:\n" + actual.toPrettyString());
        }));
    }

    /** The library's message: jsii's Java runtime appends the JavaScript stack on the following lines. */
    private static String firstLine(RuntimeException error) {
        return error.getMessage().split("\n", 2)[0];
    }

    private static Stack mistakes() {
        return new Stack(new App(), "Mistakes");
    }

    @Test
    void aBadNamespaceRaisesTheLibraryMessage() throws IOException {
        Stack stack = mistakes();
        RuntimeException error = assertThrows(RuntimeException.class, () -> FargateProfile.Builder.create(stack, "BadNamespace")
                .cluster(Cluster.fromClusterAttributes(stack, "Cluster", ClusterAttributes.builder().clusterName("demo-cluster").build()))
                .selectors(List.of(FargateProfileSelector.builder().namespace("Prod_Apps").build()))
                .build());
        assertEquals(expected().get("badNamespace").asText(), firstLine(error));
        assertTrue(error.getMessage().startsWith("Mistakes/BadNamespace: "));
    }

    @Test
    void sixSelectorsRaiseTheLibraryMessage() throws IOException {
        Stack stack = mistakes();
        List<FargateProfileSelector> six = Stream.of("a", "b", "c", "d", "e", "f")
                .map(ns -> FargateProfileSelector.builder().namespace(ns).build()).collect(Collectors.toList());
        RuntimeException error = assertThrows(RuntimeException.class, () -> FargateProfile.Builder.create(stack, "SixSelectors")
                .cluster(Cluster.fromClusterAttributes(stack, "Cluster", ClusterAttributes.builder().clusterName("demo-cluster").build()))
                .selectors(six)
                .build());
        assertEquals(expected().get("sixSelectors").asText(), firstLine(error));
        assertTrue(error.getMessage().startsWith("Mistakes/SixSelectors: "));
    }

    @Test
    void profileForGivesTheTypeScriptAnswer() throws IOException {
        String profile = FargateScheduling.profileFor(
                FargatePod.builder().namespace("prod-api").labels(Map.of("tier", "web")).build(),
                List.of(
                        FargateProfileSelection.builder().fargateProfileName("web")
                                .selectors(List.of(FargateProfileSelector.builder().namespace("prod-*").labels(Map.of("tier", "web")).build()))
                                .build(),
                        FargateProfileSelection.builder().fargateProfileName("all-prod")
                                .selectors(List.of(FargateProfileSelector.builder().namespace("prod-*").build()))
                                .build()));
        assertEquals(expected().get("profileFor").asText(), profile);
        assertEquals("all-prod", profile);
        assertEquals("eks.amazonaws.com/fargate-profile", FargateScheduling.PROFILE_LABEL);
    }

    @Test
    void readmeJavaSnippetSynthesizesAProfile() {
        // The README's Java block, as written (test/languages/readme-snippets.test.ts keeps it in sync).
        // README:begin
        App app = new App();
        Stack stack = new Stack(app, "MyStack");
        ICluster cluster = Cluster.fromClusterAttributes(stack, "Cluster",
                ClusterAttributes.builder().clusterName("my-cluster").build());
        FargateProfile.Builder.create(stack, "Apps")
                .cluster(cluster)
                .selectors(List.of(FargateProfileSelector.builder().namespace("apps").build()))
                .build();
        // README:end
        Template template = Template.fromStack(stack);
        template.resourceCountIs("Custom::EKSFargateProfile", 1);
        template.hasResourceProperties("Custom::EKSFargateProfile", Map.of("ClusterName", "my-cluster"));
    }
}
