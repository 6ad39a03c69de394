{{/*
Every helper takes this chart's scope: its own root context, or, from a chart that depends on
this one, (index .Subcharts "wavefront-auth-proxy"), which carries this chart's Values and Chart.
*/}}

{{- define "wavefront-auth-proxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wavefront-auth-proxy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "wavefront-auth-proxy.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "wavefront-auth-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wavefront-auth-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "wavefront-auth-proxy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "wavefront-auth-proxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "wavefront-auth-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wavefront-auth-proxy.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "wavefront-auth-proxy.image" -}}
{{- $image := .Values.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "wavefront-auth-proxy.secretName" -}}
{{- default (include "wavefront-auth-proxy.fullname" .) .Values.credentials.existingSecret -}}
{{- end -}}

{{/*
The credential mode, from credentials.mode or the values given; fails on contradictions so a
mistake shows at install rather than as a crash-looping pod.
*/}}
{{- define "wavefront-auth-proxy.credentialMode" -}}
{{- $c := .Values.credentials -}}
{{- $given := list -}}
{{- if or $c.cspAppId $c.cspAppSecret $c.cspOrgId -}}{{- $given = append $given "csp-app" -}}{{- end -}}
{{- if $c.cspApiToken -}}{{- $given = append $given "csp-api-token" -}}{{- end -}}
{{- if $c.wavefrontToken -}}{{- $given = append $given "static-token" -}}{{- end -}}
{{- if gt (len $given) 1 -}}
{{- fail (printf "credentials: values for more than one mode are set (%s): set only one of cspAppId+cspAppSecret, cspApiToken or wavefrontToken" (join ", " $given)) -}}
{{- end -}}
{{- if and $c.existingSecret $given -}}
{{- fail "credentials: existingSecret is set together with credential values: use the Secret's keys or the values, not both" -}}
{{- end -}}
{{- $mode := default (default "csp-app" (first $given)) $c.mode -}}
{{- if and $given (ne $mode (first $given)) -}}
{{- fail (printf "credentials.mode is %s but the values given are for %s" $mode (first $given)) -}}
{{- end -}}
{{- if and (eq $mode "csp-app") (not $c.existingSecret) (or $c.cspAppId $c.cspAppSecret) (not (and $c.cspAppId $c.cspAppSecret)) -}}
{{- fail "credentials: the csp-app mode needs both cspAppId and cspAppSecret" -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{/* The Secret's keys for each mode, named as the Wavefront operator names them. */}}
{{- define "wavefront-auth-proxy.secretKeys" -}}
{{- $mode := include "wavefront-auth-proxy.credentialMode" . -}}
{{- if eq $mode "csp-app" -}}
CSP_APP_ID: csp-app-id
CSP_APP_SECRET: csp-app-secret
{{- else if eq $mode "csp-api-token" -}}
CSP_API_TOKEN: csp-api-token
{{- else -}}
WAVEFRONT_TOKEN: token
{{- end -}}
{{- end -}}

{{/* Credential variables: each secret as a _FILE path into the mounted Secret (re-read at every token fetch). */}}
{{- define "wavefront-auth-proxy.credentialEnv" -}}
{{- $mountPath := .Values.credentials.mountPath -}}
{{- range $env, $key := include "wavefront-auth-proxy.secretKeys" . | fromYaml }}
- name: {{ $env }}_FILE
  value: {{ printf "%s/%s" $mountPath $key | quote }}
{{- end }}
{{- if eq (include "wavefront-auth-proxy.credentialMode" .) "csp-app" }}
- name: CSP_ORG_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "wavefront-auth-proxy.secretName" . }}
      key: csp-org-id
      optional: true
{{- end }}
{{- end -}}

{{/* settings as environment-variable name → string: lists joined with commas, numbers without exponents. */}}
{{- define "wavefront-auth-proxy.settingsEnv" -}}
{{- range $env, $value := .Values.settings }}
{{- if kindIs "slice" $value }}
{{ $env }}: {{ join "," $value | quote }}
{{- else if or (kindIs "float64" $value) (kindIs "int64" $value) (kindIs "int" $value) }}
{{ $env }}: {{ $value | int64 | toString | quote }}
{{- else }}
{{ $env }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "wavefront-auth-proxy.shutdownGraceMs" -}}
{{- .Values.settings.SHUTDOWN_GRACE_MS | default 10000 | int64 -}}
{{- end -}}

{{- define "wavefront-auth-proxy.credentialsVolume" -}}
- name: wavefront-auth-proxy-credentials
  secret:
    secretName: {{ include "wavefront-auth-proxy.secretName" . }}
    defaultMode: 292 # 0444: the proxy's user reads it whatever the pod's fsGroup
{{- end -}}
