{{/*
The non-secret settings of one component (list root key), as environment variables: the
component's ConfigMap data, and what its pods' checksum annotation is computed from.
*/}}
{{- define "sciport.configData" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := include "sciport.component" (list $root $key) | fromYaml -}}
{{- $public := include "sciport.publicUrl" $root -}}
SERVER_PORT: {{ $svc.port | quote }}
JAVA_TOOL_OPTIONS: {{ $svc.javaToolOptions | quote }}
{{- if $svc.logLevel }}
LOGGING_LEVEL_ROOT: {{ $svc.logLevel | quote }}
{{- end }}
{{- if $svc.sciportLogLevel }}
LOGGING_LEVEL_ORG_SCIPORT: {{ $svc.sciportLogLevel | quote }}
{{- end }}
{{ include "sciport.kafkaConfig" $root }}
# Every service checks access tokens against auth-service's JWKS and exchanges API tokens there.
SCIPORT_AUTH_SERVICE_URL: {{ include "sciport.url" (list $root "auth") | quote }}
{{- with $root.Values.security.issuer }}
SCIPORT_SECURITY_ISSUER: {{ . | quote }}
{{- end }}
{{- if eq $key "gateway" }}
MANAGEMENT_SERVER_PORT: {{ $svc.managementPort | quote }}
# Probes and Prometheus reach the actuator on the pod's address; the NetworkPolicy limits who may.
MANAGEMENT_SERVER_ADDRESS: "0.0.0.0"
SCIPORT_UPLOAD_SERVICE_URL: {{ include "sciport.url" (list $root "upload") | quote }}
SCIPORT_DATASET_SERVICE_URL: {{ include "sciport.url" (list $root "dataset") | quote }}
SCIPORT_HARVEST_SERVICE_URL: {{ include "sciport.url" (list $root "harvest") | quote }}
SCIPORT_WORKFLOW_SERVICE_URL: {{ include "sciport.url" (list $root "workflow") | quote }}
SCIPORT_CORS_ALLOWED_ORIGINS: {{ join "," $root.Values.cors.allowedOrigins | quote }}
SCIPORT_SECURITY_TRUSTEDPROXYHOPS: {{ $root.Values.security.trustedProxyHops | quote }}
SCIPORT_GATEWAY_RATELIMIT_ENABLED: {{ $svc.rateLimit.enabled | quote }}
SCIPORT_GATEWAY_RATELIMIT_STORE: {{ $svc.rateLimit.store | quote }}
SCIPORT_GATEWAY_RATELIMIT_STORETIMEOUT: {{ $svc.rateLimit.storeTimeout | quote }}
{{- else }}
# The one database setting; the R2DBC (run time) and Flyway (migration) settings are given
# explicitly as well, credentials by secretKeyRef in the Deployment.
{{- $pg := $root.Values.postgresql }}
{{- $jdbc := list }}{{- range $k, $v := $pg.jdbcParameters }}{{- $jdbc = append $jdbc (printf "%s=%v" $k $v) }}{{- end }}
{{- $r2dbc := list }}{{- range $k, $v := $pg.r2dbcParameters }}{{- $r2dbc = append $r2dbc (printf "%s=%v" $k $v) }}{{- end }}
{{- $jdbcUrl := printf "jdbc:postgresql://%s:%v/%s%s" $pg.host $pg.port $svc.database.name (ternary (printf "?%s" (join "&" $jdbc)) "" (gt (len $jdbc) 0)) }}
{{ printf "SCIPORT_%s_DATABASE_URL" (upper $key) }}: {{ $jdbcUrl | quote }}
SPRING_FLYWAY_URL: {{ $jdbcUrl | quote }}
SPRING_R2DBC_URL: {{ printf "r2dbc:postgresql://%s:%v/%s%s" $pg.host $pg.port $svc.database.name (ternary (printf "?%s" (join "&" $r2dbc)) "" (gt (len $r2dbc) 0)) | quote }}
{{- end }}
{{- if eq $key "auth" }}
SCIPORT_ADMIN_EMAIL: {{ $svc.adminEmail | quote }}
{{- if $public }}
SCIPORT_AUTH_OIDC_CALLBACKBASEURL: {{ $public | quote }}
{{- end }}
{{- with ($svc.oidcFrontendUrl | default (ternary (printf "%s/" $public) "" (ne $public ""))) }}
SCIPORT_AUTH_OIDC_FRONTENDURL: {{ . | quote }}
{{- end }}
{{- range $name, $p := $svc.oidcProviders }}
{{ printf "SCIPORT_AUTH_OIDC_PROVIDERS_%s_ISSUERURI" (upper $name) }}: {{ $p.issuerUri | quote }}
{{ printf "SCIPORT_AUTH_OIDC_PROVIDERS_%s_CLIENTID" (upper $name) }}: {{ $p.clientId | quote }}
{{- with $p.description }}
{{ printf "SCIPORT_AUTH_OIDC_PROVIDERS_%s_DESCRIPTION" (upper $name) }}: {{ . | quote }}
{{- end }}
{{- with $p.scopes }}
{{ printf "SCIPORT_AUTH_OIDC_PROVIDERS_%s_SCOPES" (upper $name) }}: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq $key "upload" }}
SCIPORT_PUBLIC_URL: {{ $public | quote }}
SCIPORT_DATASET_SERVICE_URL: {{ include "sciport.url" (list $root "dataset") | quote }}
SCIPORT_UPLOAD_MAX_FILE_SIZE: {{ $svc.maxFileSize | quote }}
SCIPORT_UPLOAD_STORAGE_DIR: "/var/lib/sciport/upload/blobs"
SCIPORT_UPLOAD_SPOOL_DIR: "/var/lib/sciport/upload/blobs/.spool"
SCIPORT_STORAGE_TYPE: {{ $root.Values.blobStorage.type | quote }}
{{- if eq $root.Values.blobStorage.type "s3" }}
{{- $s3 := $root.Values.blobStorage.s3 }}
SCIPORT_S3_ENDPOINT: {{ $s3.endpoint | quote }}
SCIPORT_S3_REGION: {{ $s3.region | quote }}
SCIPORT_S3_BUCKET: {{ $s3.bucket | quote }}
SCIPORT_S3_PREFIX: {{ $s3.prefix | quote }}
SCIPORT_S3_PATH_STYLE: {{ $s3.pathStyle | quote }}
SCIPORT_UPLOAD_STORAGE_S3_PARTSIZE: {{ $s3.partSize | quote }}
{{- end }}
{{- end }}
{{- if eq $key "dataset" }}
SCIPORT_WEBHOOKS_SECRETS_CURRENTKEY: {{ $svc.webhookSecretsKeyId | quote }}
{{- end }}
{{- if eq $key "harvest" }}
{{- with $svc.allowedRoots }}
SCIPORT_HARVEST_ALLOWEDROOTS: {{ join "," . | quote }}
{{- end }}
SCIPORT_HARVEST_SECRETS_CURRENTKEY: {{ $svc.secretsKeyId | quote }}
{{- end }}
{{- if eq $key "workflow" }}
SCIPORT_WORKFLOW_RUNS_WORKDIRECTORY: "/var/lib/sciport/workflow/runs"
SCIPORT_WORKFLOW_STORAGEDIRECTORY: "/var/lib/sciport/workflow/blobs"
SCIPORT_WORKFLOW_NEXTFLOW_PROJECTSDIRECTORY: "/var/lib/sciport/workflow/projects"
{{- /* Uploaded project files (up to nextflow.max-upload) are spooled on the data volume, not in /tmp. */}}
SPRING_WEBFLUX_MULTIPART_FILESTORAGEDIRECTORY: "/var/lib/sciport/workflow"
SCIPORT_WORKFLOW_INPUTS_HARVESTSERVICE: {{ include "sciport.url" (list $root "harvest") | quote }}
SCIPORT_WORKFLOW_INPUTS_DATASETSERVICE: {{ include "sciport.url" (list $root "dataset") | quote }}
SCIPORT_WORKFLOW_INPUTS_UPLOADSERVICE: {{ include "sciport.url" (list $root "upload") | quote }}
{{- $kx := $svc.kubernetesExecutor }}
SCIPORT_WORKFLOW_KUBERNETES_ENABLED: {{ $kx.enabled | quote }}
{{- if $kx.enabled }}
SCIPORT_WORKFLOW_KUBERNETES_NAMESPACE: {{ $kx.namespace | default $root.Release.Namespace | quote }}
{{- /* A Job's Nextflow posts its weblog to the service's cluster address, not to its own loopback. */}}
SCIPORT_WORKFLOW_NEXTFLOW_WEBLOGURL: {{ include "sciport.url" (list $root "workflow") | quote }}
{{- with $kx.jobServiceAccount }}
SCIPORT_WORKFLOW_KUBERNETES_SERVICEACCOUNT: {{ . | quote }}
{{- end }}
{{- if and $kx.shareDataVolume (include "sciport.sharedData" $svc) }}
SCIPORT_WORKFLOW_KUBERNETES_SHAREDVOLUME: {{ include "sciport.claimName" $svc | quote }}
SCIPORT_WORKFLOW_KUBERNETES_SHAREDPATH: "/var/lib/sciport/workflow"
{{- end }}
{{- end }}
{{- end }}
{{- range $prop, $value := $svc.config }}
{{- /* Whole numbers as written (Helm reads numbers as floats: 1000000 would become 1e+06). */}}
{{ include "sciport.envName" $prop }}: {{ ternary (int64 $value | toString) (toString $value) (and (kindIs "float64" $value) (eq (float64 $value) (floor $value))) | quote }}
{{- end }}
{{- end -}}
