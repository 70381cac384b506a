{{/* Labels Helm adds to every object, next to the app.kubernetes.io labels of config/. */}}
{{- define "ethos.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The manager's image. */}}
{{- define "ethos.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The decision engines' image: the manager's unless set. */}}
{{- define "ethos.engineImage" -}}
{{ .Values.engine.image | default (include "ethos.image" .) }}
{{- end }}

{{/* A map of labels as an equality-based label selector, as kubectl -l takes it: a=1,b=2 (sorted). */}}
{{- define "ethos.labelSelector" -}}
{{- $pairs := list }}
{{- range $key, $value := . }}
{{- $pairs = append $pairs (printf "%s=%v" $key $value) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}
