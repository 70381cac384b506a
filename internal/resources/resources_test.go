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

package resources

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func campaign(engine ethosv1alpha1.EngineSpec) *ethosv1alpha1.Campaign {
	return &ethosv1alpha1.Campaign{
		ObjectMeta: metav1.ObjectMeta{Name: "spring", Namespace: "shop", UID: types.UID("uid-1")},
		Spec:       ethosv1alpha1.CampaignSpec{Engine: engine},
	}
}

func TestLabelsAndURL(t *testing.T) {
	g := NewWithT(t)
	c := campaign(ethosv1alpha1.EngineSpec{})
	g.Expect(Labels(c)).To(Equal(map[string]string{
		"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring", "app.kubernetes.io/managed-by": "ethos",
	}))
	g.Expect(SelectorLabels(c)).To(Equal(map[string]string{"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring"}))
	g.Expect(URL(c)).To(Equal("http://spring-engine.shop.svc:8080"))
}

func TestConfigMap(t *testing.T) {
	g := NewWithT(t)
	cm := ConfigMap(campaign(ethosv1alpha1.EngineSpec{}), []byte(`{"a":1}`))
	g.Expect(*cm.Name).To(Equal("spring-engine"))
	g.Expect(*cm.Namespace).To(Equal("shop"))
	g.Expect(cm.Data).To(Equal(map[string]string{"decision.json": `{"a":1}`}))
	g.Expect(cm.OwnerReferences).To(HaveLen(1))
	ref := cm.OwnerReferences[0]
	g.Expect([]any{*ref.APIVersion, *ref.Kind, *ref.Name, *ref.UID, *ref.Controller, *ref.BlockOwnerDeletion}).
		To(Equal([]any{"personalization.ethos.dev/v1alpha1", "Campaign", "spring", types.UID("uid-1"), true, true}))
}

func TestDeploymentReplicasAndResources(t *testing.T) {
	custom := corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}
	tests := []struct {
		name          string
		engine        ethosv1alpha1.EngineSpec
		wantReplicas  *int32
		wantResources corev1.ResourceRequirements
		wantMin       int32
	}{
		{"defaults", ethosv1alpha1.EngineSpec{}, ptr.To[int32](1), DefaultResources(), 1},
		{"fixed replicas", ethosv1alpha1.EngineSpec{Replicas: ptr.To[int32](3)}, ptr.To[int32](3), DefaultResources(), 3},
		{"zero replicas", ethosv1alpha1.EngineSpec{Replicas: ptr.To[int32](0)}, ptr.To[int32](0), DefaultResources(), 0},
		{"autoscaled: the HPA owns replicas", ethosv1alpha1.EngineSpec{
			Replicas: ptr.To[int32](3), Autoscaling: &ethosv1alpha1.Autoscaling{MinReplicas: ptr.To[int32](2), MaxReplicas: 5},
		}, nil, DefaultResources(), 2},
		{"custom resources replace the defaults", ethosv1alpha1.EngineSpec{Resources: custom}, ptr.To[int32](1), custom, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c := campaign(tt.engine)
			d := Deployment(c, Options{Image: "img:1"}, "abc")
			g.Expect(d.Spec.Replicas).To(Equal(tt.wantReplicas))
			ctr := d.Spec.Template.Spec.Containers[0]
			g.Expect(ctr.Resources.Requests).To(Equal(ptr.To(tt.wantResources.Requests)))
			if tt.wantResources.Limits == nil {
				g.Expect(ctr.Resources.Limits).To(BeNil())
			} else {
				g.Expect(ctr.Resources.Limits).To(Equal(ptr.To(tt.wantResources.Limits)))
			}
			g.Expect(MinReplicas(c)).To(Equal(tt.wantMin))
		})
	}
}

func TestDeploymentPodSpec(t *testing.T) {
	g := NewWithT(t)
	d := Deployment(campaign(ethosv1alpha1.EngineSpec{}), Options{Image: "img:1"}, "abc")
	g.Expect(d.Spec.Selector.MatchLabels).To(Equal(map[string]string{"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring"}))
	g.Expect(d.Spec.Template.Annotations).To(Equal(map[string]string{ConfigHashAnnotation: "abc"}))
	pod := d.Spec.Template.Spec
	g.Expect(*pod.AutomountServiceAccountToken).To(BeFalse())
	g.Expect(*pod.SecurityContext.RunAsNonRoot).To(BeTrue())
	g.Expect(*pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
	g.Expect(*pod.Volumes[0].ConfigMap.Name).To(Equal("spring-engine"))
	ctr := pod.Containers[0]
	g.Expect(*ctr.Image).To(Equal("img:1"))
	g.Expect(ctr.Command).To(Equal([]string{"/decision-engine"}))
	g.Expect(ctr.Args).To(Equal([]string{"--config", "/etc/ethos/decision.json", "--listen", ":8080", "--ops-listen", ":8081"}))
	g.Expect(*ctr.Ports[0].Name).To(Equal("http"))
	g.Expect(*ctr.Ports[0].ContainerPort).To(Equal(int32(8080)))
	g.Expect(*ctr.Ports[1].ContainerPort).To(Equal(int32(8081)))
	sc := ctr.SecurityContext
	g.Expect([]bool{*sc.RunAsNonRoot, *sc.ReadOnlyRootFilesystem, *sc.AllowPrivilegeEscalation}).To(Equal([]bool{true, true, false}))
	g.Expect(sc.Capabilities.Drop).To(Equal([]corev1.Capability{"ALL"}))
	g.Expect(*ctr.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
	g.Expect(*ctr.LivenessProbe.HTTPGet.Port).To(Equal(intstr.FromString("health")))
	g.Expect(*ctr.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
	g.Expect(*ctr.Lifecycle.PreStop.Sleep.Seconds).To(Equal(int64(5)))
}

func TestService(t *testing.T) {
	g := NewWithT(t)
	s := Service(campaign(ethosv1alpha1.EngineSpec{}))
	g.Expect(s.Spec.Selector).To(Equal(map[string]string{"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring"}))
	g.Expect(s.Spec.Ports).To(HaveLen(1))
	p := s.Spec.Ports[0]
	g.Expect([]any{*p.Name, *p.Port, *p.TargetPort}).To(Equal([]any{"http", int32(8080), intstr.FromString("http")}))
}

func TestAutoscalerAndDisruptionBudget(t *testing.T) {
	tests := []struct {
		name    string
		engine  ethosv1alpha1.EngineSpec
		wantHPA bool
		wantPDB bool
	}{
		{"one replica: neither", ethosv1alpha1.EngineSpec{Replicas: ptr.To[int32](1)}, false, false},
		{"two replicas: a budget", ethosv1alpha1.EngineSpec{Replicas: ptr.To[int32](2)}, false, true},
		{"autoscaled from one: an HPA", ethosv1alpha1.EngineSpec{Autoscaling: &ethosv1alpha1.Autoscaling{MinReplicas: ptr.To[int32](1), MaxReplicas: 4}}, true, false},
		{"autoscaled from two: both", ethosv1alpha1.EngineSpec{Autoscaling: &ethosv1alpha1.Autoscaling{MinReplicas: ptr.To[int32](2), MaxReplicas: 4}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c := campaign(tt.engine)
			hpa, pdb := HorizontalPodAutoscaler(c), PodDisruptionBudget(c)
			g.Expect(hpa != nil).To(Equal(tt.wantHPA))
			g.Expect(pdb != nil).To(Equal(tt.wantPDB))
			if hpa != nil {
				g.Expect(*hpa.Spec.ScaleTargetRef.Name).To(Equal("spring-engine"))
				g.Expect(*hpa.Spec.MaxReplicas).To(Equal(int32(4)))
				g.Expect(*hpa.Spec.Metrics[0].Resource.Target.AverageUtilization).To(Equal(int32(80)))
			}
			if pdb != nil {
				g.Expect(*pdb.Spec.MaxUnavailable).To(Equal(intstr.FromInt32(1)))
			}
		})
	}
}
