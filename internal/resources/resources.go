/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package resources builds the desired state of the objects the Campaign controller owns for a
// Campaign's decision engine: ConfigMap, Deployment, Service, NetworkPolicy, and when asked
// for a HorizontalPodAutoscaler and a PodDisruptionBudget, all named <campaign>-engine.
//
// Builders are pure functions of the Campaign and Options: no client, no clock. They return
// server-side apply configurations, so the controller sends exactly the fields it means to
// own (never server defaults it would then fight over), and can compare them with the fields
// its field manager owns on the live object to skip writes that would change nothing.
package resources

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	autoscalingv2ac "k8s.io/client-go/applyconfigurations/autoscaling/v2"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
)

// Label keys and values of every owned object.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = "app.kubernetes.io/managed-by"

	// AppName is the app.kubernetes.io/name of every engine object.
	AppName = "decision-engine"
	// ManagedBy is the app.kubernetes.io/managed-by of every engine object; the manager's cache
	// only watches objects carrying it.
	ManagedBy = "ethos"
)

// ConfigHashAnnotation, on the pod template, carries document.Hash of the compiled decision
// document: any change to the Campaign or its policy changes it, which rolls the pods.
const ConfigHashAnnotation = "personalization.ethos.dev/config-hash"

// Engine process layout, shared with cmd/decision-engine.
const (
	// ContainerName is the engine container's name.
	ContainerName = "decision-engine"
	// ConfigDir is where the ConfigMap is mounted; the engine reads ConfigDir/document.FileName.
	ConfigDir = "/etc/ethos"
	// HTTPPort serves POST /v1/decisions; the Service exposes it under the same number.
	HTTPPort = 8080
	// HealthPort serves /healthz, /readyz and /metrics.
	HealthPort = 8081
	// PreStopSleepSeconds is how long a terminating engine pod keeps serving.
	PreStopSleepSeconds = 5
	// HTTPPortName names the decision port on the container and the Service.
	HTTPPortName = "http"
	// HealthPortName names the health and metrics port on the container.
	HealthPortName = "health"
	// RunAsUser is the image's non-root user (distroless "nonroot").
	RunAsUser int64 = 65532
)

// Options are the manager-wide settings the builders need.
type Options struct {
	// Image is the container image holding /decision-engine.
	Image string
	// Network says who may reach the engines (NetworkPolicy).
	Network EngineNetwork
	// DefaultRequests and DefaultLimits replace DefaultResources()'s halves for Campaigns
	// that set no spec.engine.resources (--engine-default-requests, --engine-default-limits);
	// nil keeps the built-in half. Checked at start by EngineResources.
	DefaultRequests, DefaultLimits corev1.ResourceList
	// Limits are the engine's serving limits (--engine-max-connections and the like); unset
	// ones keep the engine's defaults.
	Limits EngineLimits
}

// DefaultResources are the engine container's resources when spec.engine.resources is empty:
// requests 50m CPU and 64Mi memory, limit 256Mi memory (no CPU limit, to avoid throttling
// the latency-sensitive decision path).
func DefaultResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("50m"),
			corev1.ResourceMemory: resource.MustParse("64Mi"),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse("256Mi"),
		},
	}
}

// Labels are the labels of every engine object of the Campaign.
func Labels(c *ethosv1alpha1.Campaign) map[string]string {
	return map[string]string{LabelName: AppName, LabelInstance: c.Name, LabelManagedBy: ManagedBy}
}

// SelectorLabels select the Campaign's engine pods: name and instance only, because selectors
// are immutable and must never carry anything that may change.
func SelectorLabels(c *ethosv1alpha1.Campaign) map[string]string {
	return map[string]string{LabelName: AppName, LabelInstance: c.Name}
}

// URL is the in-cluster address of the Campaign's decision API.
func URL(c *ethosv1alpha1.Campaign) string {
	return "http://" + c.EngineName() + "." + c.Namespace + ".svc:" + strconv.Itoa(HTTPPort)
}

// ownerReference makes the Campaign the controller of an engine object, so garbage collection
// removes it with the Campaign and Owns() watches map its events back.
func ownerReference(c *ethosv1alpha1.Campaign) *metav1ac.OwnerReferenceApplyConfiguration {
	gvk := ethosv1alpha1.GroupVersion.WithKind("Campaign")
	return metav1ac.OwnerReference().
		WithAPIVersion(gvk.GroupVersion().String()).
		WithKind(gvk.Kind).
		WithName(c.Name).
		WithUID(c.UID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}

// ConfigMap holds the compiled decision document under document.FileName.
func ConfigMap(c *ethosv1alpha1.Campaign, data []byte) *corev1ac.ConfigMapApplyConfiguration {
	return corev1ac.ConfigMap(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithData(map[string]string{document.FileName: string(data)})
}

// Replicas is the Deployment's replica count to apply, or nil when an autoscaler owns it.
func Replicas(c *ethosv1alpha1.Campaign) *int32 {
	if c.Spec.Engine.Autoscaling != nil {
		return nil
	}
	return ptr.To(ptr.Deref(c.Spec.Engine.Replicas, 1))
}

// MinReplicas is the fewest engine pods the Campaign asks for: the autoscaler's lower bound,
// or the fixed replica count.
func MinReplicas(c *ethosv1alpha1.Campaign) int32 {
	if a := c.Spec.Engine.Autoscaling; a != nil {
		return ptr.Deref(a.MinReplicas, 1)
	}
	return ptr.Deref(c.Spec.Engine.Replicas, 1)
}

// Deployment runs the decision engine from the ConfigMap. configHash (document.Hash of the
// ConfigMap's document) goes on the pod template so every document change rolls the pods.
// The pod follows the "restricted" Pod Security Standard and mounts no service account
// token: the engine never talks to the API server.
func Deployment(c *ethosv1alpha1.Campaign, opts Options, configHash string) *appsv1ac.DeploymentApplyConfiguration {
	resources := c.Spec.Engine.Resources
	if len(resources.Requests) == 0 && len(resources.Limits) == 0 && len(resources.Claims) == 0 {
		resources, _ = opts.EngineResources() // checked when the manager starts
	}
	container := corev1ac.Container().
		WithName(ContainerName).
		WithImage(opts.Image).
		WithCommand("/decision-engine").
		WithArgs(append([]string{
			"--config", ConfigDir + "/" + document.FileName,
			"--listen", ":" + strconv.Itoa(HTTPPort),
			"--ops-listen", ":" + strconv.Itoa(HealthPort),
		}, opts.Limits.args()...)...).
		WithPorts(
			corev1ac.ContainerPort().WithName(HTTPPortName).WithContainerPort(HTTPPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName(HealthPortName).WithContainerPort(HealthPort).WithProtocol(corev1.ProtocolTCP),
		).
		WithResources(resourcesApply(resources)).
		WithVolumeMounts(corev1ac.VolumeMount().WithName("config").WithMountPath(ConfigDir).WithReadOnly(true)).
		WithLivenessProbe(corev1ac.Probe().
			WithHTTPGet(corev1ac.HTTPGetAction().WithPath("/healthz").WithPort(intstr.FromString(HealthPortName))).
			WithPeriodSeconds(10).WithFailureThreshold(3)).
		WithReadinessProbe(corev1ac.Probe().
			WithHTTPGet(corev1ac.HTTPGetAction().WithPath("/readyz").WithPort(intstr.FromString(HealthPortName))).
			WithPeriodSeconds(5).WithFailureThreshold(2)).
		// Endpoints are removed asynchronously when a pod terminates: keep serving a few seconds
		// so that kube-proxy stops routing to this pod before it stops answering.
		WithLifecycle(corev1ac.Lifecycle().WithPreStop(corev1ac.LifecycleHandler().
			WithSleep(corev1ac.SleepAction().WithSeconds(PreStopSleepSeconds)))).
		WithSecurityContext(corev1ac.SecurityContext().
			WithRunAsNonRoot(true).
			WithRunAsUser(RunAsUser).
			WithRunAsGroup(RunAsUser).
			WithAllowPrivilegeEscalation(false).
			WithReadOnlyRootFilesystem(true).
			WithCapabilities(corev1ac.Capabilities().WithDrop(corev1.Capability("ALL"))).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault)))

	pod := corev1ac.PodSpec().
		WithContainers(container).
		WithVolumes(corev1ac.Volume().WithName("config").
			WithConfigMap(corev1ac.ConfigMapVolumeSource().WithName(c.EngineName()))).
		WithAutomountServiceAccountToken(false).
		WithEnableServiceLinks(false).
		WithSecurityContext(corev1ac.PodSecurityContext().
			WithRunAsNonRoot(true).
			WithRunAsUser(RunAsUser).
			WithRunAsGroup(RunAsUser).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		// Spread replicas over nodes when the scheduler can, so one node failure does not take
		// every engine pod of a Campaign down.
		WithTopologySpreadConstraints(corev1ac.TopologySpreadConstraint().
			WithMaxSkew(1).
			WithTopologyKey(corev1.LabelHostname).
			WithWhenUnsatisfiable(corev1.ScheduleAnyway).
			WithLabelSelector(metav1ac.LabelSelector().WithMatchLabels(SelectorLabels(c))))

	spec := appsv1ac.DeploymentSpec().
		WithSelector(metav1ac.LabelSelector().WithMatchLabels(SelectorLabels(c))).
		WithRevisionHistoryLimit(3).
		// Never drop below the current capacity during a rollout: a new document (such as a
		// switch to FallbackOnly) must not cost availability.
		WithStrategy(appsv1ac.DeploymentStrategy().
			WithType(appsv1.RollingUpdateDeploymentStrategyType).
			WithRollingUpdate(appsv1ac.RollingUpdateDeployment().
				WithMaxUnavailable(intstr.FromInt32(0)).
				WithMaxSurge(intstr.FromInt32(1)))).
		WithTemplate(corev1ac.PodTemplateSpec().
			WithLabels(Labels(c)).
			WithAnnotations(map[string]string{ConfigHashAnnotation: configHash}).
			WithSpec(pod))
	if r := Replicas(c); r != nil {
		spec.WithReplicas(*r)
	}
	return appsv1ac.Deployment(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithSpec(spec)
}

func resourcesApply(r corev1.ResourceRequirements) *corev1ac.ResourceRequirementsApplyConfiguration {
	out := corev1ac.ResourceRequirements()
	if len(r.Requests) > 0 {
		out.WithRequests(r.Requests)
	}
	if len(r.Limits) > 0 {
		out.WithLimits(r.Limits)
	}
	for _, claim := range r.Claims {
		rc := corev1ac.ResourceClaim().WithName(claim.Name)
		if claim.Request != "" {
			rc.WithRequest(claim.Request)
		}
		out.WithClaims(rc)
	}
	return out
}

// Service exposes the decision API inside the cluster on port 8080, named http.
func Service(c *ethosv1alpha1.Campaign) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(SelectorLabels(c)).
			WithPorts(corev1ac.ServicePort().
				WithName(HTTPPortName).
				WithProtocol(corev1.ProtocolTCP).
				WithPort(HTTPPort).
				WithTargetPort(intstr.FromString(HTTPPortName))))
}

// HorizontalPodAutoscaler scales the engine on CPU, or is nil when spec.engine.autoscaling is
// unset (then the controller removes any it created before).
func HorizontalPodAutoscaler(c *ethosv1alpha1.Campaign) *autoscalingv2ac.HorizontalPodAutoscalerApplyConfiguration {
	a := c.Spec.Engine.Autoscaling
	if a == nil {
		return nil
	}
	return autoscalingv2ac.HorizontalPodAutoscaler(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithSpec(autoscalingv2ac.HorizontalPodAutoscalerSpec().
			WithScaleTargetRef(autoscalingv2ac.CrossVersionObjectReference().
				WithAPIVersion("apps/v1").WithKind("Deployment").WithName(c.EngineName())).
			WithMinReplicas(ptr.Deref(a.MinReplicas, 1)).
			WithMaxReplicas(a.MaxReplicas).
			WithMetrics(autoscalingv2ac.MetricSpec().
				WithType(autoscalingv2.ResourceMetricSourceType).
				WithResource(autoscalingv2ac.ResourceMetricSource().
					WithName(corev1.ResourceCPU).
					WithTarget(autoscalingv2ac.MetricTarget().
						WithType(autoscalingv2.UtilizationMetricType).
						WithAverageUtilization(ptr.Deref(a.TargetCPUUtilizationPercentage, 80))))))
}

// PodDisruptionBudget lets voluntary disruptions (node drains) take at most one engine pod at
// a time; nil when the Campaign asks for at most one replica, where a budget would block
// drains forever.
func PodDisruptionBudget(c *ethosv1alpha1.Campaign) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	if MinReplicas(c) <= 1 {
		return nil
	}
	return policyv1ac.PodDisruptionBudget(c.EngineName(), c.Namespace).
		WithLabels(Labels(c)).
		WithOwnerReferences(ownerReference(c)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMaxUnavailable(intstr.FromInt32(1)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(SelectorLabels(c))))
}
