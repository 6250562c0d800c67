{{/*
driftline.name is the chart name, overridable with nameOverride.
*/}}
{{- define "driftline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
driftline.fullname is the release-qualified name every object starts with (≤ 63 characters,
leaving room for the service suffix).
*/}}
{{- define "driftline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
driftline.labels are the common labels of every object.
*/}}
{{- define "driftline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "driftline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: driftline
{{- end }}

{{/*
driftline.selectorLabels select one service's pods; call with (dict "root" $ "name" "watcher").
*/}}
{{- define "driftline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "driftline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
driftline.componentName is the object name of one service: <fullname>-<service>.
*/}}
{{- define "driftline.componentName" -}}
{{- printf "%s-%s" (include "driftline.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
driftline.image is repository@digest when a digest is pinned, else repository:tag (tag defaults
to the chart's appVersion).
*/}}
{{- define "driftline.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
driftline.usesMongo: the services that talk to MongoDB (desired tails it, sink writes it).
*/}}
{{- define "driftline.usesMongo" -}}
{{- if has .name (list "desired" "sink") }}true{{ end }}
{{- end }}

{{/*
driftline.secretEnv renders one env var read from an existing Secret;
call with (dict "name" "VAR" "secret" "my-secret" "key" "k" "optional" false).
*/}}
{{- define "driftline.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
driftline.env is one service's environment: the shared connection settings (only those the
service's config schema declares), its ops server, its secrets by reference, then its own `env`.
Call with (dict "root" $ "name" "watcher" "svc" $svc).
*/}}
{{- define "driftline.env" -}}
{{- $v := .root.Values -}}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: HTTP_HOST
  value: "0.0.0.0"
- name: HTTP_PORT
  value: {{ .svc.port | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" $v.kafka.brokers | quote }}
- name: KAFKA_CLIENT_ID
  value: {{ printf "driftline-%s" .name | quote }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
{{- if ne $v.kafka.sasl.mechanism "none" }}
{{- $secret := required "kafka.sasl.existingSecret is required when kafka.sasl.mechanism is not none" $v.kafka.sasl.existingSecret }}
{{ include "driftline.secretEnv" (dict "name" "KAFKA_SASL_USERNAME" "secret" $secret "key" $v.kafka.sasl.usernameKey) }}
{{ include "driftline.secretEnv" (dict "name" "KAFKA_SASL_PASSWORD" "secret" $secret "key" $v.kafka.sasl.passwordKey) }}
{{- end }}
- name: KAFKA_TLS_ENABLED
  value: {{ $v.kafka.tls.enabled | quote }}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.caSecret }}
- name: KAFKA_TLS_CA_FILE
  value: {{ printf "/etc/driftline/kafka-ca/%s" $v.kafka.tls.caKey | quote }}
{{- end }}
- name: SCHEMA_REGISTRY_URL
  value: {{ required "schemaRegistry.url is required" $v.schemaRegistry.url | quote }}
{{- if $v.schemaRegistry.existingSecret }}
{{ include "driftline.secretEnv" (dict "name" "SCHEMA_REGISTRY_USERNAME" "secret" $v.schemaRegistry.existingSecret "key" $v.schemaRegistry.usernameKey) }}
{{ include "driftline.secretEnv" (dict "name" "SCHEMA_REGISTRY_PASSWORD" "secret" $v.schemaRegistry.existingSecret "key" $v.schemaRegistry.passwordKey) }}
{{- end }}
{{- if include "driftline.usesMongo" . }}
{{ include "driftline.secretEnv" (dict "name" "MONGO_URL" "secret" (required (printf "mongo.existingSecret is required by %s" .name) $v.mongo.existingSecret) "key" $v.mongo.urlKey) }}
- name: MONGO_DATABASE
  value: {{ $v.mongo.database | quote }}
{{- end }}
{{- range $id, $topic := $v.topics }}
- name: {{ printf "TOPIC_%s" ($id | upper | replace "-" "_") }}
  value: {{ $topic | quote }}
{{- end }}
{{- if eq .name "watcher" }}
- name: WATCHER_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if .svc.providersFile.existingSecret }}
- name: WATCHER_PROVIDERS_FILE
  value: {{ printf "/etc/driftline/providers/%s" .svc.providersFile.key | quote }}
{{- else }}
{{- $secret := required "credentialsKey.existingSecret is required: the watcher cannot open provider credentials without it (or set services.watcher.providersFile.existingSecret)" $v.credentialsKey.existingSecret }}
- name: WATCHER_CREDENTIALS_KEY_ID
  value: {{ $v.credentialsKey.keyId | quote }}
{{ include "driftline.secretEnv" (dict "name" "WATCHER_CREDENTIALS_KEY" "secret" $secret "key" $v.credentialsKey.key) }}
{{ include "driftline.secretEnv" (dict "name" "WATCHER_CREDENTIALS_PREVIOUS_KEYS" "secret" $secret "key" $v.credentialsKey.previousKeysKey "optional" true) }}
{{- end }}
{{- end }}
{{- if eq .name "desired" }}
- name: DESIRED_INSTANCE_NAME
  value: {{ include "driftline.fullname" .root | quote }}
{{- if $v.credentialsKey.existingSecret }}
- name: DESIRED_CREDENTIALS_KEY_ID
  value: {{ $v.credentialsKey.keyId | quote }}
{{ include "driftline.secretEnv" (dict "name" "DESIRED_CREDENTIALS_KEY" "secret" $v.credentialsKey.existingSecret "key" $v.credentialsKey.key) }}
{{- end }}
{{- end }}
{{- range $key, $value := .svc.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/*
driftline.drainMs is a service's graceful-stop deadline: its <SERVICE>_SHUTDOWN_TIMEOUT_MS from
`env` when set, else 25000 (the default of every service's deadline).
*/}}
{{- define "driftline.drainMs" -}}
{{- $var := printf "%s_SHUTDOWN_TIMEOUT_MS" (.name | upper) }}
{{- if hasKey .svc.env $var }}{{ index .svc.env $var | int }}{{ else }}25000{{ end }}
{{- end }}
