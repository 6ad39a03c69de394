{{/*
Sidecar mode: charts that depend on this one add the proxy to their own pods.

  dependencies:                       # the application's Chart.yaml
    - name: wavefront-auth-proxy
      version: 0.1.0
      repository: file://../wavefront-auth-proxy

  # the application's values.yaml: this chart's values, with mode: sidecar
  wavefront-auth-proxy:
    mode: sidecar
    wavefront: {url: https://example.wavefront.com}
    credentials: {existingSecret: wavefront-credentials}

  # the application's pod template
  spec:
    initContainers:                   # sidecar.native: true (Kubernetes 1.29+); else under containers
      {{- include "wavefront-auth-proxy.sidecar" (index .Subcharts "wavefront-auth-proxy") | nindent 8 }}
    containers:
      - name: app
        env:
          - name: WAVEFRONT_API
            value: http://127.0.0.1:9191
    volumes:
      {{- include "wavefront-auth-proxy.sidecarVolumes" (index .Subcharts "wavefront-auth-proxy") | nindent 8 }}

A worked example: helm/examples/app-with-sidecar.
*/}}

{{/* The proxy container, as one list item. */}}
{{- define "wavefront-auth-proxy.sidecar" -}}
{{- include "wavefront-auth-proxy.container" (dict "scope" . "sidecar" true) -}}
{{- end -}}

{{/* The volumes the sidecar mounts (the credentials Secret; the token's emptyDir when
sidecar.tokenOutputFile.enabled), as list items. */}}
{{- define "wavefront-auth-proxy.sidecarVolumes" -}}
{{- include "wavefront-auth-proxy.credentialsVolume" . }}
{{- with .Values.sidecar.tokenOutputFile }}
{{- if .enabled }}
- name: {{ .volumeName }}
  emptyDir:
    medium: Memory # tmpfs: the token is never written to the node's disk
    sizeLimit: 1Mi
{{- end }}
{{- end }}
{{- end -}}

{{/* For your container that reads the token file (sidecar.tokenOutputFile.enabled), as a list
item under its volumeMounts; run that container as the proxy's user (runAsUser 1000). */}}
{{- define "wavefront-auth-proxy.tokenVolumeMount" -}}
{{- with .Values.sidecar.tokenOutputFile -}}
{{- if not .enabled -}}
{{- fail "wavefront-auth-proxy.tokenVolumeMount needs sidecar.tokenOutputFile.enabled: true" -}}
{{- end -}}
- name: {{ .volumeName }}
  mountPath: {{ .mountPath }}
  readOnly: true
{{- end -}}
{{- end -}}
