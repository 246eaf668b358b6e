{{/*
Chart name.
*/}}
{{- define "sciport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Prefix of every resource name: the release name, or "<release>-<chart>" when the release name
does not already contain the chart name.
*/}}
{{- define "sciport.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sciport.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The components, in a fixed order: short key -> module (the Maven module and image suffix).
*/}}
{{- define "sciport.modules" -}}
gateway: gateway
auth: auth-service
upload: upload-service
dataset: dataset-service
harvest: harvest-service
workflow: workflow-service
{{- end -}}

{{/*
Which components each component calls over HTTP (NetworkPolicy egress, and ingress of the
called one): the gateway routes to every service; every service exchanges API tokens and reads
the JWKS at auth-service; upload-service asks dataset-service where an upload may go;
workflow-service fetches runs' inputs from harvest-, dataset- and upload-service.
*/}}
{{- define "sciport.calls" -}}
gateway: [auth, upload, dataset, harvest, workflow]
auth: []
upload: [auth, dataset]
dataset: [auth]
harvest: [auth]
workflow: [auth, harvest, dataset, upload]
{{- end -}}

{{/*
Deep merge of two maps (list base override): maps are merged key by key, every other value of
the override (also false, 0 and "") replaces the base's.
*/}}
{{- define "sciport.merge" -}}
{{- $out := deepCopy (index . 0) -}}
{{- range $k, $v := (index . 1) -}}
{{- if and (kindIs "map" $v) (kindIs "map" (get $out $k)) -}}
{{- $_ := set $out $k (include "sciport.merge" (list (get $out $k) $v) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
The effective settings of one component (list root key): serviceDefaults merged with
services.<key>, plus key, module and name.
*/}}
{{- define "sciport.component" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $modules := include "sciport.modules" $root | fromYaml -}}
{{- $svc := include "sciport.merge" (list $root.Values.serviceDefaults (get $root.Values.services $key | default dict)) | fromYaml -}}
{{- $_ := set $svc "key" $key -}}
{{- $_ := set $svc "module" (get $modules $key) -}}
{{- $_ := set $svc "name" (printf "%s-%s" (include "sciport.fullname" $root) (get $modules $key)) -}}
{{- if not $svc.managementPort -}}
{{- $_ := set $svc "managementPort" $svc.port -}}
{{- end -}}
{{- toYaml $svc -}}
{{- end -}}

{{/*
Resource name of a component (list root key).
*/}}
{{- define "sciport.componentName" -}}
{{- $root := index . 0 -}}
{{- $modules := include "sciport.modules" $root | fromYaml -}}
{{- printf "%s-%s" (include "sciport.fullname" $root) (get $modules (index . 1)) -}}
{{- end -}}

{{/*
Labels on every object of the chart.
*/}}
{{- define "sciport.labels" -}}
helm.sh/chart: {{ include "sciport.chart" . }}
app.kubernetes.io/name: {{ include "sciport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: sciport
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Selector labels of a component (list root module): what its Service, PodDisruptionBudget and
NetworkPolicy select, and exactly its Deployment's matchLabels.
*/}}
{{- define "sciport.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "sciport.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
All labels of a component's objects (list root module).
*/}}
{{- define "sciport.componentLabels" -}}
{{ include "sciport.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
Image of a component (list root svc).
*/}}
{{- define "sciport.image" -}}
{{- $root := index . 0 -}}
{{- $svc := index . 1 -}}
{{- $img := $svc.image | default dict -}}
{{- $repository := $img.repository | default $root.Values.image.repository -}}
{{- $name := $img.name | default (printf "sciport-%s" $svc.module) -}}
{{- $tag := $img.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s/%s:%s" (trimSuffix "/" $root.Values.image.registry) (trimSuffix "/" $repository) $name $tag -}}
{{- else -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $repository) $name $tag -}}
{{- end -}}
{{- end -}}

{{/*
ServiceAccount name of a component (svc).
*/}}
{{- define "sciport.serviceAccountName" -}}
{{- if .serviceAccount.create -}}
{{- .serviceAccount.name | default .name -}}
{{- else -}}
{{- .serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
Whether a component can run more than one pod (svc): "true" or "".
*/}}
{{- define "sciport.scaled" -}}
{{- if or .autoscaling.enabled (gt (int .replicas) 1) -}}true{{- end -}}
{{- end -}}

{{/*
Whether a component's data volume is shared between pods (svc): "true" or "".
*/}}
{{- define "sciport.sharedData" -}}
{{- if and .persistence.enabled (has "ReadWriteMany" .persistence.accessModes) -}}true{{- end -}}
{{- end -}}

{{/*
The data volume's claim name (svc).
*/}}
{{- define "sciport.claimName" -}}
{{- .persistence.existingClaim | default (printf "%s-data" .name) -}}
{{- end -}}

{{/*
The public URL: publicUrl, else https://<first ingress or HTTPRoute host>, else empty.
*/}}
{{- define "sciport.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{- trimSuffix "/" .Values.publicUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts (not (hasPrefix "*" (first .Values.ingress.hosts))) -}}
{{- printf "https://%s" (first .Values.ingress.hosts) -}}
{{- else if and .Values.httpRoute.enabled .Values.httpRoute.hostnames (not (hasPrefix "*" (first .Values.httpRoute.hostnames))) -}}
{{- printf "https://%s" (first .Values.httpRoute.hostnames) -}}
{{- end -}}
{{- end -}}

{{/*
A Spring property name as a relaxed-binding environment variable name:
sciport.gateway.rate-limit.free -> SCIPORT_GATEWAY_RATELIMIT_FREE, a.b[0] -> A_B_0.
*/}}
{{- define "sciport.envName" -}}
{{- regexReplaceAll "\\[([0-9]+)\\]" . "_${1}" | replace "." "_" | replace "-" "" | upper -}}
{{- end -}}

{{/*
Base URL of a component inside the namespace (list root key).
*/}}
{{- define "sciport.url" -}}
{{- $root := index . 0 -}}
{{- $svc := include "sciport.component" (list $root (index . 1)) | fromYaml -}}
{{- printf "http://%s:%v" $svc.name $svc.port -}}
{{- end -}}

{{/*
Kafka bootstrap and client security settings (non-secret) for a ConfigMap.
*/}}
{{- define "sciport.kafkaConfig" -}}
{{- $k := .Values.kafka -}}
SCIPORT_KAFKA_BOOTSTRAP: {{ $k.bootstrapServers | quote }}
SCIPORT_EVENTS_PARTITIONS: {{ $k.topics.partitions | quote }}
SCIPORT_EVENTS_REPLICATIONFACTOR: {{ $k.topics.replicationFactor | quote }}
{{- if $k.consumerGroupSuffix }}
SCIPORT_EVENTS_CONSUMERGROUPSUFFIX: {{ $k.consumerGroupSuffix | quote }}
{{- end }}
{{- if or $k.tls.enabled $k.sasl.enabled }}
SPRING_KAFKA_SECURITY_PROTOCOL: {{ ternary (ternary "SASL_SSL" "SSL" $k.sasl.enabled) "SASL_PLAINTEXT" $k.tls.enabled | quote }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.caSecret }}
SPRING_KAFKA_SSL_TRUSTSTORETYPE: "PEM"
SPRING_KAFKA_SSL_TRUSTSTORELOCATION: {{ printf "file:/etc/sciport/kafka-ca/%s" $k.tls.caKey | quote }}
{{- end }}
{{- if $k.sasl.enabled }}
SPRING_KAFKA_PROPERTIES_SASL_MECHANISM: {{ $k.sasl.mechanism | quote }}
{{- end }}
{{- end -}}

{{/*
Kafka secret environment (SASL JAAS configuration).
*/}}
{{- define "sciport.kafkaEnv" -}}
{{- $s := .Values.kafka.sasl -}}
{{- if $s.enabled }}
{{- if $s.jaasConfigKey }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.jaasConfigKey }}
{{- else }}
- name: SCIPORT_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.passwordKey }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"%s\" password=\"$(SCIPORT_KAFKA_SASL_PASSWORD)\";" (ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $s.mechanism "PLAIN")) $s.username | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A secretKeyRef environment variable (list name secret key optional).
*/}}
{{- define "sciport.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: {{ index . 2 }}
      {{- if index . 3 }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
NetworkPolicy egress rule to peers on ports (list peers ports protocol); no peers: any address.
*/}}
{{- define "sciport.egressRule" -}}
{{- $peers := index . 0 -}}
{{- $ports := index . 1 -}}
- ports:
  {{- range $ports }}
    - port: {{ . }}
      protocol: {{ index $ 2 }}
  {{- end }}
  {{- with $peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
