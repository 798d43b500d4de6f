{{/*
Chart name, truncated to the 63 characters Kubernetes allows in names and labels.
*/}}
{{- define "hookrelay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. The per-service names append -api, -dispatcher, -ingester (at
most 11 characters), so this stays within 52.
*/}}
{{- define "hookrelay.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookrelay.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "hookrelay.labels" -}}
helm.sh/chart: {{ include "hookrelay.chart" . }}
{{ include "hookrelay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hookrelay
{{- end }}

{{/*
Labels shared by the selectors of all three services (the ServiceMonitor uses them).
*/}}
{{- define "hookrelay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookrelay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-service labels and selector labels. Call with (dict "root" $ "component" "api").
*/}}
{{- define "hookrelay.componentLabels" -}}
{{ include "hookrelay.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hookrelay.componentSelectorLabels" -}}
{{ include "hookrelay.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Name of one service's Deployment and Service. Call with (dict "root" $ "component" "api").
*/}}
{{- define "hookrelay.componentName" -}}
{{- printf "%s-%s" (include "hookrelay.fullname" .root) .component }}
{{- end }}

{{- define "hookrelay.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "hookrelay.configMapName" -}}
{{- include "hookrelay.fullname" . }}
{{- end }}

{{/*
The Secret holding the database URL, the AMQP URL and the admin token.
*/}}
{{- define "hookrelay.secretName" -}}
{{- if .Values.existingSecret.name }}
{{- .Values.existingSecret.name }}
{{- else }}
{{- include "hookrelay.fullname" . }}
{{- end }}
{{- end }}

{{/*
Checksums that roll the pods when the settings or the chart-managed secret values change.
*/}}
{{- define "hookrelay.checksumAnnotations" -}}
checksum/config: {{ .Values.config | sha256sum }}
{{- if not .Values.existingSecret.name }}
checksum/secret: {{ list .Values.database.url .Values.amqp.url .Values.adminToken | toJson | sha256sum }}
{{- end }}
{{- end }}

{{/*
Pod annotations of one service: checksums, prometheus.io/port, then the shared and the
service's own podAnnotations (later wins).
Call with (dict "root" $ "port" 8080 "annotations" .Values.api.podAnnotations).
*/}}
{{- define "hookrelay.podAnnotations" -}}
{{- $annotations := dict "prometheus.io/port" (toString .port) }}
{{- $annotations = mergeOverwrite $annotations (deepCopy (.root.Values.podAnnotations | default dict)) (deepCopy (.annotations | default dict)) }}
{{- include "hookrelay.checksumAnnotations" .root }}
{{- range $key, $value := $annotations }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Environment shared by the three services: settings file, database and AMQP URLs.
*/}}
{{- define "hookrelay.commonEnv" -}}
- name: HOOKRELAY_CONFIG
  value: /etc/hookrelay/config.toml
- name: HOOKRELAY__DATABASE__URL
  valueFrom:
    secretKeyRef:
      name: {{ include "hookrelay.secretName" . }}
      key: {{ .Values.existingSecret.databaseUrlKey }}
- name: HOOKRELAY__AMQP__URL
  valueFrom:
    secretKeyRef:
      name: {{ include "hookrelay.secretName" . }}
      key: {{ .Values.existingSecret.amqpUrlKey }}
- name: HOOKRELAY__SECRETS__KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "hookrelay.secretName" . }}
      key: {{ .Values.existingSecret.secretsKeysKey }}
{{- end }}

{{/*
Pod-level fields shared by the three Deployments (and the migration Job).
*/}}
{{- define "hookrelay.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Volumes: the settings file, and a writable /tmp (the root filesystem is read-only).
Call with (dict "root" $ "configMap" "<name>").
*/}}
{{- define "hookrelay.volumes" -}}
- name: config
  configMap:
    name: {{ .configMap }}
    items:
      - key: config.toml
        path: config.toml
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "hookrelay.volumeMounts" -}}
- name: config
  mountPath: /etc/hookrelay
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end }}

{{/*
Probes of one service: startup and liveness on /healthz, readiness on /readyz.
Call with the root context.
*/}}
{{- define "hookrelay.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .Values.probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  {{- toYaml .Values.probes.readiness | nindent 2 }}
{{- end }}

{{/*
Base of the callback URLs: ingester.publicBaseUrl, or the in-cluster Service URL.
*/}}
{{- define "hookrelay.ingesterPublicBaseUrl" -}}
{{- if .Values.ingester.publicBaseUrl }}
{{- .Values.ingester.publicBaseUrl | trimSuffix "/" }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "hookrelay.componentName" (dict "root" . "component" "ingester")) .Release.Namespace .Values.ingester.service.port }}
{{- end }}
{{- end }}
