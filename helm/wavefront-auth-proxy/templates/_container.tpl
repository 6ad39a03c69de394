{{/*
The proxy's settings as environment-variable name → string, for the shared ConfigMap and the
sidecar's env. Call with (dict "scope" <this chart's scope> "sidecar" true|false).
Shared: listens on every interface, serves the Service's DNS names.
Sidecar: listens on every interface too, so the kubelet's probes reach /healthz and /readyz, but
only the pod's own containers (loopback) may use the credential unless ALLOWED_CLIENTS says more.
*/}}
{{- define "wavefront-auth-proxy.proxyEnv" -}}
{{- $v := .scope.Values -}}
{{- $hosts := list -}}
{{- if not .sidecar -}}
{{- $svc := include "wavefront-auth-proxy.fullname" .scope -}}
{{- $ns := .scope.Release.Namespace -}}
{{- $hosts = list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns $v.clusterDomain) -}}
{{- end -}}
{{- $hosts = concat $hosts $v.extraAllowedHosts -}}
WAVEFRONT_URL: {{ $v.wavefront.url | quote }}
HOST: "0.0.0.0"
PORT: {{ ternary $v.sidecar.port $v.containerPort .sidecar | int | toString | quote }}
{{- if $hosts }}
ALLOWED_HOSTS: {{ join "," $hosts | quote }}
{{- end }}
{{- if and .sidecar (not (hasKey $v.settings "ALLOWED_CLIENTS")) }}
ALLOWED_CLIENTS: "127.0.0.0/8,::1/128"
{{- end }}
{{- if and .sidecar $v.sidecar.tokenOutputFile.enabled }}
TOKEN_OUTPUT_FILE: {{ printf "%s/%s" (trimSuffix "/" $v.sidecar.tokenOutputFile.mountPath) $v.sidecar.tokenOutputFile.fileName | quote }}
{{- end }}
{{- include "wavefront-auth-proxy.settingsEnv" .scope }}
{{- end -}}

{{/* Refuses values that would make a pod misbehave at run time rather than fail at install. */}}
{{- define "wavefront-auth-proxy.checkShutdown" -}}
{{- $grace := include "wavefront-auth-proxy.shutdownGraceMs" . | int64 -}}
{{- $needed := add $grace (mul (int64 .Values.preStopSleepSeconds) 1000) -}}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) $needed -}}
{{- fail (printf "terminationGracePeriodSeconds (%v s) must exceed preStopSleepSeconds plus SHUTDOWN_GRACE_MS (%v ms in all), or Kubernetes kills the proxy mid-drain" .Values.terminationGracePeriodSeconds $needed) -}}
{{- end -}}
{{- end -}}

{{/* The proxy container. Call with (dict "scope" <this chart's scope> "sidecar" true|false). */}}
{{- define "wavefront-auth-proxy.container" -}}
{{- $ := .scope -}}
{{- $v := $.Values -}}
{{- $native := and .sidecar $v.sidecar.native -}}
{{- $port := ternary $v.sidecar.port $v.containerPort .sidecar | int -}}
- name: wavefront-auth-proxy
  image: {{ include "wavefront-auth-proxy.image" $ | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  {{- if $native }}
  restartPolicy: Always
  {{- end }}
  {{- if not .sidecar }}
  ports:
    - name: http
      containerPort: {{ $port }}
      protocol: TCP
  envFrom:
    - configMapRef:
        name: {{ include "wavefront-auth-proxy.fullname" $ }}
  {{- end }}
  env:
    {{- if .sidecar }}
    {{- range $name, $value := include "wavefront-auth-proxy.proxyEnv" . | fromYaml }}
    - name: {{ $name }}
      value: {{ $value | quote }}
    {{- end }}
    {{- end }}
    {{- include "wavefront-auth-proxy.credentialEnv" $ | trim | nindent 4 }}
    {{- with $v.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumeMounts:
    - name: wavefront-auth-proxy-credentials
      mountPath: {{ $v.credentials.mountPath }}
      readOnly: true
    {{- if and .sidecar $v.sidecar.tokenOutputFile.enabled }}
    - name: {{ $v.sidecar.tokenOutputFile.volumeName }}
      mountPath: {{ $v.sidecar.tokenOutputFile.mountPath }}
    {{- end }}
  {{- /* A native sidecar's startupProbe gates the application's start: wait for a token. */}}
  startupProbe:
    httpGet:
      path: {{ ternary "/readyz" "/healthz" $native }}
      port: {{ $port }}
    {{- toYaml (ternary $v.sidecar.startupProbe $v.startupProbe $native) | nindent 4 }}
  {{- if not .sidecar }}
  {{- /* A sidecar has no readinessProbe: a CSP outage must not take the application out of its Service. */}}
  readinessProbe:
    httpGet:
      path: /readyz
      port: {{ $port }}
    {{- toYaml $v.readinessProbe | nindent 4 }}
  {{- end }}
  livenessProbe:
    httpGet:
      path: /healthz
      port: {{ $port }}
    {{- toYaml $v.livenessProbe | nindent 4 }}
  {{- if and (not .sidecar) (gt (int $v.preStopSleepSeconds) 0) (semverCompare ">=1.30.0-0" $.Capabilities.KubeVersion.Version) }}
  lifecycle:
    preStop:
      sleep:
        seconds: {{ int $v.preStopSleepSeconds }}
  {{- end }}
  resources:
    {{- toYaml $v.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
{{- end -}}
