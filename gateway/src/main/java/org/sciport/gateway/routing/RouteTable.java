package org.sciport.gateway.routing;

/**
 * Path patterns per owning service. Routes are tried in declaration order (auth, upload,
 * dataset, harvest, workflow), so upload's {@code /portal/api/jobs} wins over dataset's
 * {@code /portal/api/**}, and {@code /v1/data/upload} over {@code /v1/data/**}.
 */
public final class RouteTable {

	/** auth-service: native auth, users, tokens and JWKS; seed 000, 002 and 004 identity paths. */
	public static final String[] AUTH = { "/v1/auth/**", "/v1/users/**", "/v1/tokens/**", "/.well-known/jwks.json",
			"/api/auth/**", "/auth/**", "/api/users/**" };

	/** upload-service: native uploads, tus and jobs; seed 000 upload and job paths; seed 001 data upload. */
	public static final String[] UPLOAD = { "/v1/uploads/**", "/v1/jobs/**", "/v1/data/upload", "/api/upload/**",
			"/portal/api/jobs", "/portal/api/cancel-job", "/portal/api/retry-conversion",
			"/portal/api/dataset-file-content" };

	/** dataset-service: native catalogue; seed 000 portal; seed 001 projects, data, analytics, webhooks. */
	public static final String[] DATASET = { "/v1/datasets/**", "/v1/folders/**", "/v1/teams/**", "/v1/projects/**",
			"/v1/data/**", "/v1/analytics/**", "/v1/webhooks/**", "/portal/api/**" };

	/** harvest-service: native and seed 002 instrument, storage, schedule, hook, file and transfer paths. */
	public static final String[] HARVEST = { "/v1/instruments/**", "/v1/storage-locations/**",
			"/v1/service-accounts/**", "/v1/schedules/**", "/v1/hooks/**", "/v1/files/**", "/v1/transfers/**",
			"/api/instruments/**", "/api/storage-locations/**", "/api/service-accounts/**", "/api/schedules/**",
			"/api/hooks/**", "/api/files/**", "/api/transfers/**", "/v1/harvest-runs/**", "/api/harvest-runs/**",
			"/ark:/**", "/v1/harvest/**" };

	/**
	 * workflow-service: native resources, workspaces, pipelines; seed 003 and seed 004 projects
	 * (with the original code's {@code /api/workflows} for its pipelines).
	 */
	public static final String[] WORKFLOW = { "/v1/resources/**", "/v1/workspaces/**", "/v1/pipelines/**",
			"/api/projects/**", "/api/nextflow-projects/**", "/api/workflows/**" };

	private RouteTable() {
	}

}
