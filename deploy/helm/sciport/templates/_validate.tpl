{{/*
Settings that cannot work are refused at render time, each with what to change.
*/}}
{{- define "sciport.validate" -}}
{{- $root := . -}}
{{- $modules := include "sciport.modules" . | fromYaml -}}
{{- range $key := list "gateway" "auth" "upload" "dataset" "harvest" "workflow" -}}
{{- $svc := include "sciport.component" (list $root $key) | fromYaml -}}
{{- if and $svc.autoscaling.enabled (gt (int $svc.autoscaling.minReplicas) (int $svc.autoscaling.maxReplicas)) -}}
{{- fail (printf "services.%s.autoscaling: minReplicas (%v) is greater than maxReplicas (%v)." $key $svc.autoscaling.minReplicas $svc.autoscaling.maxReplicas) -}}
{{- end -}}
{{- $replicas := ternary (int $svc.autoscaling.minReplicas) (int $svc.replicas) (and $svc.autoscaling.enabled true) -}}
{{- $min := toString $svc.pdb.minAvailable -}}
{{- if and $min (regexMatch "^[0-9]+$" $min) (ge (int $min) $replicas) -}}
{{- fail (printf "services.%s.pdb.minAvailable (%s) must be lower than the service's replicas (%d): otherwise no pod may ever be evicted and node drains block. Raise replicas (or autoscaling.minReplicas) or lower minAvailable." $key $min $replicas) -}}
{{- end -}}
{{- if and (ne $key "gateway") (not $svc.database.existingSecret) -}}
{{- fail (printf "services.%s.database.existingSecret is empty: %s needs an existing Secret with its PostgreSQL login (keys %s and %s)." $key $svc.module $svc.database.userKey $svc.database.passwordKey) -}}
{{- end -}}
{{- if and (ne $key "gateway") (not $svc.database.name) -}}
{{- fail (printf "services.%s.database.name is empty: %s needs its own PostgreSQL database." $key $svc.module) -}}
{{- end -}}
{{- end -}}

{{- $gateway := include "sciport.component" (list $root "gateway") | fromYaml -}}
{{- if and (include "sciport.scaled" $gateway) $gateway.rateLimit.enabled (eq $gateway.rateLimit.store "memory") -}}
{{- fail "services.gateway: more than one gateway replica (replicas > 1 or autoscaling.enabled) with the \"memory\" rate-limit store would give every replica counters of its own, multiplying every limit. Set services.gateway.rateLimit.store=redis and redis.host, or run one gateway." -}}
{{- end -}}
{{- if and $gateway.rateLimit.enabled (eq $gateway.rateLimit.store "redis") (not $root.Values.redis.host) -}}
{{- fail "services.gateway.rateLimit.store is \"redis\" but redis.host is empty: name the Redis server the gateways share." -}}
{{- end -}}

{{- $upload := include "sciport.component" (list $root "upload") | fromYaml -}}
{{- if and (include "sciport.scaled" $upload) (eq $root.Values.blobStorage.type "local") -}}
{{- fail "services.upload: more than one upload-service replica (replicas > 1 or autoscaling.enabled) with blobStorage.type=local: every replica would keep files the others cannot read. Use blobStorage.type=s3, or run one upload-service." -}}
{{- end -}}
{{- if and (include "sciport.scaled" $upload) (not (include "sciport.sharedData" $upload)) -}}
{{- fail "services.upload: several upload-service replicas need a shared spool for chunked and tus uploads (a chunk or PATCH may reach any replica, and completing reads the chunks others received). Set services.upload.persistence.enabled=true with accessModes [ReadWriteMany] (and a storageClass or existingClaim that provides it)." -}}
{{- end -}}
{{- if and (eq $root.Values.blobStorage.type "local") (not $upload.persistence.enabled) -}}
{{- fail "blobStorage.type=local needs services.upload.persistence.enabled=true: on an emptyDir every uploaded file would be lost with the pod." -}}
{{- end -}}
{{- if and (eq $root.Values.blobStorage.type "s3") (not $root.Values.blobStorage.s3.bucket) -}}
{{- fail "blobStorage.type=s3 needs blobStorage.s3.bucket." -}}
{{- end -}}

{{- $workflow := include "sciport.component" (list $root "workflow") | fromYaml -}}
{{- $kx := $workflow.kubernetesExecutor -}}
{{- if and $kx.enabled $kx.shareDataVolume (not (include "sciport.sharedData" $workflow)) -}}
{{- fail "services.workflow.kubernetesExecutor.shareDataVolume needs services.workflow.persistence.enabled=true with accessModes [ReadWriteMany]: Jobs mount the run folders from that volume (otherwise they would see an empty /work). Provide one, or set shareDataVolume=false." -}}
{{- end -}}
{{- if and $kx.enabled $kx.shareDataVolume $kx.namespace (ne $kx.namespace $root.Release.Namespace) -}}
{{- fail (printf "services.workflow.kubernetesExecutor: Jobs in namespace %s cannot mount the data volume, whose claim lives in %s. Run the Jobs in the release namespace, or set shareDataVolume=false." $kx.namespace $root.Release.Namespace) -}}
{{- end -}}
{{- if and (include "sciport.scaled" $workflow) (not (include "sciport.sharedData" $workflow)) -}}
{{- fail "services.workflow: several workflow-service replicas need a shared data volume (stored run outputs and Nextflow project files are read by whichever replica is asked). Set services.workflow.persistence.enabled=true with accessModes [ReadWriteMany]." -}}
{{- end -}}

{{- $k := $root.Values.kafka -}}
{{- if and $k.sasl.enabled (not $k.sasl.existingSecret) -}}
{{- fail "kafka.sasl.enabled needs kafka.sasl.existingSecret (for Strimzi, the KafkaUser's Secret)." -}}
{{- end -}}
{{- if and $k.sasl.enabled (not $k.sasl.jaasConfigKey) (not $k.sasl.username) -}}
{{- fail "kafka.sasl: set jaasConfigKey (a complete JAAS configuration in the Secret) or username with passwordKey." -}}
{{- end -}}
{{- if and $k.tls.caSecret (not $k.tls.enabled) -}}
{{- fail "kafka.tls.caSecret is set but kafka.tls.enabled is false: enable TLS or remove the CA Secret." -}}
{{- end -}}
{{- if not $root.Values.secrets.existingSecret -}}
{{- fail "secrets.existingSecret is empty: Sciport needs an existing Secret with its key-encryption key, client-address key and sealing keys (see the chart README)." -}}
{{- end -}}
{{- if and $root.Values.ingress.enabled (not $root.Values.ingress.hosts) -}}
{{- fail "ingress.enabled needs at least one host in ingress.hosts." -}}
{{- end -}}
{{- if and $root.Values.httpRoute.enabled (not $root.Values.httpRoute.parentRefs) -}}
{{- fail "httpRoute.enabled needs httpRoute.parentRefs (the Gateway the route attaches to)." -}}
{{- end -}}
{{- end -}}
