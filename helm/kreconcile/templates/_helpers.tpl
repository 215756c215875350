{{/* Names and labels shared by every template. */}}
{{- define "kreconcile.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kreconcile.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kreconcile.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kreconcile.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kreconcile.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The namespace of the Lease: settings.lock.namespace, else the release's. */}}
{{- define "kreconcile.lockNamespace" -}}
{{- $lock := default dict .Values.settings.lock -}}
{{- default .Release.Namespace $lock.namespace -}}
{{- end -}}

{{/* The settings file: values.settings with budgets and checks from their own values. */}}
{{- define "kreconcile.settings" -}}
{{- $settings := deepCopy .Values.settings -}}
{{- $_ := set $settings "budgets" .Values.budgets -}}
{{- $checks := dict -}}
{{- range $name, $check := .Values.checks -}}
{{- $c := deepCopy (default dict $check.options) -}}
{{- $_ := set $c "enabled" (ne $check.enabled false) -}}
{{- $_ := set $checks $name $c -}}
{{- end -}}
{{- $_ := set $settings "checks" $checks -}}
{{- $lock := deepCopy (default dict $settings.lock) -}}
{{- $_ := set $lock "namespace" (include "kreconcile.lockNamespace" .) -}}
{{- $_ := set $settings "lock" $lock -}}
{{- with .Values.notify.secretName -}}
{{- $_ := set $settings "notify" (dict "urlFile" (printf "/etc/kreconcile-notify/%s" $.Values.notify.secretKey) "format" $.Values.notify.format "on" (get $.Values.notify "on")) -}}
{{- end -}}
{{- toYaml $settings -}}
{{- end -}}

{{/*
The ClusterRole's rules: the run's own, then each enabled check's from files/rbac.yaml,
then rbac.extraRules (kinds named by owner-references rules in values).
*/}}
{{- define "kreconcile.clusterRules" -}}
{{- $derived := .Files.Get "files/rbac.yaml" | fromYaml -}}
{{- $rules := list -}}
{{- range $derived.run -}}{{- $rules = append $rules . -}}{{- end -}}
{{- range $name, $check := .Values.checks -}}
{{- if ne $check.enabled false -}}
{{- if not (hasKey $derived.checks $name) -}}
{{- fail (printf "checks.%s: unknown check (known: %s)" $name (keys $derived.checks | sortAlpha | join ", ")) -}}
{{- end -}}
{{- range (index $derived.checks $name) -}}{{- $rules = append $rules . -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- range .Values.rbac.extraRules -}}{{- $rules = append $rules . -}}{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{/* The pod's and container's security settings: the restricted Pod Security Standard. */}}
{{- define "kreconcile.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kreconcile.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
The pod template of every kreconcile Job. Call with (dict "root" $ "args" LIST "name" NAME
"serviceAccount" SA "hook" BOOL).
*/}}
{{- define "kreconcile.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ .serviceAccount }}
automountServiceAccountToken: true
restartPolicy: Never
securityContext:
  {{- include "kreconcile.podSecurityContext" $root | nindent 2 }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
- name: kreconcile
  image: {{ include "kreconcile.image" $root }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  args:
  {{- toYaml .args | nindent 2 }}
  securityContext:
    {{- include "kreconcile.containerSecurityContext" $root | nindent 4 }}
  resources:
    {{- toYaml $root.Values.resources | nindent 4 }}
  volumeMounts:
  - name: settings
    mountPath: /etc/kreconcile
    readOnly: true
  - name: tmp
    mountPath: /tmp
  {{- if $root.Values.notify.secretName }}
  - name: notify
    mountPath: /etc/kreconcile-notify
    readOnly: true
  {{- end }}
volumes:
- name: settings
  configMap:
    name: {{ .configMap }}
{{- with $root.Values.notify.secretName }}
- name: notify
  secret:
    secretName: {{ . }}
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: 16Mi
{{- end -}}

{{/* The arguments of a run from values. */}}
{{- define "kreconcile.runArgs" -}}
{{- $args := list "run" "--config=/etc/kreconcile/settings.yaml" (printf "--schedule-interval=%d" (int .Values.scheduleIntervalSeconds)) (printf "--log-format=%s" .Values.logFormat) -}}
{{- if .Values.dryRun -}}{{- $args = append $args (printf "--dry-run=%s" .Values.dryRun) -}}{{- end -}}
{{- if gt (int .Values.shards) 1 -}}{{- $args = append $args (printf "--shard=/%d" (int .Values.shards)) -}}{{- end -}}
{{- if .Values.metrics.pushgateway -}}{{- $args = append $args (printf "--pushgateway=%s" .Values.metrics.pushgateway) -}}{{- end -}}
{{- range .Values.extraArgs -}}{{- $args = append $args . -}}{{- end -}}
{{- toYaml $args -}}
{{- end -}}

{{/* The spec of a run's Job: the CronJob's jobTemplate and the one-off Job share it. */}}
{{- define "kreconcile.jobSpec" -}}
backoffLimit: {{ .Values.job.backoffLimit }}
activeDeadlineSeconds: {{ .Values.job.activeDeadlineSeconds }}
ttlSecondsAfterFinished: {{ .Values.job.ttlSecondsAfterFinished }}
{{- if gt (int .Values.shards) 1 }}
# One pod per shard: JOB_COMPLETION_INDEX picks the namespaces it owns (--shard=/N).
completionMode: Indexed
completions: {{ .Values.shards }}
parallelism: {{ .Values.shards }}
{{- end }}
template:
  metadata:
    labels:
      {{- include "kreconcile.labels" . | nindent 6 }}
    annotations:
      checksum/settings: {{ include "kreconcile.settings" . | sha256sum }}
  spec:
    {{- include "kreconcile.podSpec" (dict "root" . "args" (include "kreconcile.runArgs" . | fromYamlArray) "serviceAccount" (include "kreconcile.serviceAccountName" .) "configMap" (include "kreconcile.fullname" .)) | nindent 4 }}
{{- end -}}
