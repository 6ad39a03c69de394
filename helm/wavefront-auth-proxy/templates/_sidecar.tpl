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

{{/* The volumes the sidecar mounts (the credentials Secret), as list items. */}}
{{- define "wavefront-auth-proxy.sidecarVolumes" -}}
{{- include "wavefront-auth-proxy.credentialsVolume" . -}}
{{- end -}}
