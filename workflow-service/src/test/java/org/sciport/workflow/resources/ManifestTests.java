package org.sciport.workflow.resources;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sciport.commons.error.ValidationException;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ManifestTests {

	private static final List<String> TYPES = List.of("workflow", "service");

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	@Test
	void aYamlSyntaxErrorSaysItsLineAndColumn() {
		String manifest = "name: broken\ntype: workflow\nworkflow:\n  dag:\n    - name: a\n     spec: {stack: shell:1}\n";
		assertThatExceptionOfType(ValidationException.class).isThrownBy(() -> Manifest.parse(manifest, YAML, TYPES))
			.satisfies((ex) -> {
				assertThat(ex.field()).isEqualTo("manifest");
				assertThat(ex.getMessage()).startsWith("YAML syntax error at line 6, column ").doesNotContain("\n");
			});
	}

	@Test
	void theSpecKeepsTheTypesSectionWithoutTheCommonFields() {
		Manifest manifest = Manifest.parse("name: etl\nversion: v3\ntype: workflow\ntags: [a]\nworkflow:\n  dag:\n"
				+ "    - name: a\n      spec: {stack: shell:1}\n", YAML, TYPES);
		assertThat(manifest.version()).isEqualTo("v3");
		assertThat(manifest.tags()).containsExactly("a");
		assertThat(manifest.spec().propertyNames()).containsExactly("workflow");
		assertThat(Manifest.parse("name: api\ntype: service\nservice: {replicas: 2}\n", YAML, TYPES).version())
			.isEqualTo("v1");
	}

	@Test
	void aCycleIsFoundThroughAThousandsDeepChainWithoutRecursion() {
		List<String> tasks = new ArrayList<>();
		Map<String, List<String>> dependencies = new HashMap<>();
		for (int i = 0; i < 5000; i++) {
			tasks.add("t" + i);
			dependencies.put("t" + i, (i == 0) ? List.of() : List.of("t" + (i - 1)));
		}
		assertThat(WorkflowSpec.cycle(tasks, dependencies)).isNull();
		dependencies.put("t0", List.of("t4999"));
		List<String> cycle = WorkflowSpec.cycle(tasks, dependencies);
		assertThat(cycle).hasSize(5001);
		assertThat(cycle.get(0)).isEqualTo(cycle.get(cycle.size() - 1));
		for (int i = 0; i + 1 < cycle.size(); i++) {
			assertThat(dependencies.get(cycle.get(i))).contains(cycle.get(i + 1));
		}
	}

}
