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

package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/resources"
)

// get reads an object by namespace and name into obj.
func get(g Gomega, ns, name string, obj client.Object) {
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj)).To(Succeed())
}

// kstatusOf computes the kstatus status Argo CD and Flux read from a Campaign.
func kstatusOf(g Gomega, c *ethosv1alpha1.Campaign) status.Status {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(c)
	g.Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	g.Expect(err).NotTo(HaveOccurred())
	return res.Status
}

// engineDocument decodes the decision document of a Campaign's ConfigMap.
func engineDocument(g Gomega, ns, name string) (*document.Document, string) {
	cm := &corev1.ConfigMap{}
	get(g, ns, name+"-engine", cm)
	doc := &document.Document{}
	g.Expect(json.Unmarshal([]byte(cm.Data[document.FileName]), doc)).To(Succeed())
	return doc, document.Hash([]byte(cm.Data[document.FileName]))
}

// settle waits until the sample Campaign (spring-running) has rolled out its current document
// and is in phase, with the engine made available by hand, and returns it.
func settle(t *testing.T, ns string, phase ethosv1alpha1.Phase) *ethosv1alpha1.Campaign {
	const name = "spring-running"
	t.Helper()
	g := NewWithT(t)
	c := &ethosv1alpha1.Campaign{}
	g.Eventually(func(g Gomega) {
		markDeploymentAvailable(g, ns, name+"-engine")
		get(g, ns, name, c)
		_, hash := engineDocument(g, ns, name)
		g.Expect(c.Status.ObservedGeneration).To(Equal(c.Generation))
		g.Expect(c.Status.Engine).NotTo(BeNil())
		g.Expect(c.Status.Engine.ConfigHash).To(Equal(hash))
		g.Expect(c.Status.Phase).To(Equal(phase))
		g.Expect(meta.IsStatusConditionTrue(c.Status.Conditions, ethosv1alpha1.ConditionEngineAvailable)).To(BeTrue())
	}, timeout, poll).Should(Succeed())
	return c
}

func TestCampaignConverges(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	g.Expect(k8s.Create(ctx, c)).To(Succeed())
	name := "spring-running-engine"
	wantLabels := map[string]string{
		"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring-running", "app.kubernetes.io/managed-by": "ethos",
	}
	wantSelector := map[string]string{"app.kubernetes.io/name": "decision-engine", "app.kubernetes.io/instance": "spring-running"}
	wantOwner := []metav1.OwnerReference{{
		APIVersion: "personalization.ethos.dev/v1alpha1", Kind: "Campaign", Name: "spring-running", UID: c.UID,
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
	}}

	// Before the engine is available the Campaign is converging: kstatus InProgress.
	g.Eventually(func(g Gomega) {
		got := &ethosv1alpha1.Campaign{}
		get(g, ns, "spring-running", got)
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, ethosv1alpha1.ConditionReconciling)).To(BeTrue())
		g.Expect(meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionReady).Reason).To(Equal(ethosv1alpha1.ReasonProgressing))
		g.Expect(kstatusOf(g, got)).To(Equal(status.InProgressStatus))
	}, timeout, poll).Should(Succeed())

	cm := &corev1.ConfigMap{}
	get(g, ns, name, cm)
	g.Expect(cm.Labels).To(Equal(wantLabels))
	g.Expect(cm.OwnerReferences).To(Equal(wantOwner))
	doc, hash := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModePersonalize))
	g.Expect(doc.Campaign).To(Equal(document.CampaignRef{Namespace: ns, Name: "spring-running", Generation: c.Generation}))

	d := &appsv1.Deployment{}
	get(g, ns, name, d)
	g.Expect(d.Labels).To(Equal(wantLabels))
	g.Expect(d.OwnerReferences).To(Equal(wantOwner))
	g.Expect(d.Spec.Selector.MatchLabels).To(Equal(wantSelector))
	g.Expect(d.Spec.Replicas).To(Equal(ptr.To[int32](1)))
	g.Expect(d.Spec.Template.Labels).To(Equal(wantLabels))
	g.Expect(d.Spec.Template.Annotations).To(HaveKeyWithValue(resources.ConfigHashAnnotation, hash))
	pod := d.Spec.Template.Spec
	g.Expect(pod.AutomountServiceAccountToken).To(Equal(ptr.To(false)))
	g.Expect(pod.SecurityContext.RunAsNonRoot).To(Equal(ptr.To(true)))
	g.Expect(pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
	g.Expect(pod.Volumes).To(HaveLen(1))
	g.Expect(pod.Volumes[0].ConfigMap.Name).To(Equal(name))
	g.Expect(pod.Containers).To(HaveLen(1))
	ctr := pod.Containers[0]
	g.Expect(ctr.Image).To(Equal(testImage))
	g.Expect(ctr.Command).To(Equal([]string{"/decision-engine"}))
	g.Expect(ctr.Args).To(Equal([]string{"--config", "/etc/ethos/decision.json", "--listen", ":8080", "--ops-listen", ":8081"}))
	g.Expect(ctr.VolumeMounts).To(Equal([]corev1.VolumeMount{{Name: "config", MountPath: "/etc/ethos", ReadOnly: true}}))
	g.Expect(ctr.SecurityContext).To(Equal(&corev1.SecurityContext{
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		RunAsUser:                ptr.To[int64](65532),
		RunAsGroup:               ptr.To[int64](65532),
		RunAsNonRoot:             ptr.To(true),
		ReadOnlyRootFilesystem:   ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}))
	g.Expect(ctr.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
	g.Expect(ctr.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
	g.Expect(ctr.Resources.Requests.Cpu().String()).To(Equal("50m"))
	g.Expect(ctr.Resources.Requests.Memory().String()).To(Equal("64Mi"))
	g.Expect(ctr.Resources.Limits.Memory().String()).To(Equal("256Mi"))

	svc := &corev1.Service{}
	get(g, ns, name, svc)
	g.Expect(svc.Labels).To(Equal(wantLabels))
	g.Expect(svc.OwnerReferences).To(Equal(wantOwner))
	g.Expect(svc.Spec.Selector).To(Equal(wantSelector))
	g.Expect(svc.Spec.Ports).To(HaveLen(1))
	g.Expect(svc.Spec.Ports[0].Name).To(Equal("http"))
	g.Expect(svc.Spec.Ports[0].Port).To(Equal(int32(8080)))
	g.Expect(svc.Spec.Ports[0].TargetPort).To(Equal(intstr.FromString("http")))

	// One replica asks for neither an autoscaler nor a disruption budget.
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &autoscalingv2.HorizontalPodAutoscaler{}))).To(BeTrue())
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &policyv1.PodDisruptionBudget{}))).To(BeTrue())

	// Once the engine is available the Campaign is settled: Ready, kstatus Current.
	got := settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
	g.Expect(got.Status.Engine).To(Equal(&ethosv1alpha1.EngineStatus{
		Deployment: name, Service: name, ConfigHash: hash, Replicas: 1, ReadyReplicas: 1,
		URL: "http://spring-running-engine." + ns + ".svc:8080",
	}))
	g.Expect(conditionSummary(got.Status.Conditions)).To(Equal(map[string]string{
		"Ready":                 "True/Active",
		"ConsentPolicyResolved": "True/PolicyFound",
		"Compliant":             "True/Compliant",
		"EngineAvailable":       "True/DeploymentAvailable",
	}))
	for _, cond := range got.Status.Conditions {
		g.Expect(cond.ObservedGeneration).To(Equal(got.Generation), cond.Type)
	}

	// A resync with nothing changed writes nothing.
	assertNoWriteOnResync(t, ns, "spring-running")
}

// conditionSummary maps each condition type to "Status/Reason".
func conditionSummary(conds []metav1.Condition) map[string]string {
	out := map[string]string{}
	for _, c := range conds {
		out[c.Type] = string(c.Status) + "/" + c.Reason
	}
	return out
}

// resourceVersions of a Campaign and its ConfigMap, Deployment and Service.
func resourceVersions(g Gomega, ns, name string) []string {
	objs := []client.Object{&ethosv1alpha1.Campaign{}, &corev1.ConfigMap{}, &appsv1.Deployment{}, &corev1.Service{}}
	out := make([]string, 0, len(objs))
	for i, o := range objs {
		n := name + "-engine"
		if i == 0 {
			n = name
		}
		get(g, ns, n, o)
		out = append(out, o.GetResourceVersion())
	}
	return out
}

// assertNoWriteOnResync reconciles a settled Campaign again, directly and through its
// policy's watch, and checks that nothing was written.
func assertNoWriteOnResync(t *testing.T, ns, name string) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	before := resourceVersions(g, ns, name)
	for range 3 {
		_, err := campaigns.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: name}})
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(resourceVersions(g, ns, name)).To(Equal(before))
}

func TestCampaignChangeRollsPods(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())
	old := settle(t, ns, ethosv1alpha1.PhaseActive)

	c := old.DeepCopy()
	c.Spec.Fallback.Content["headline"] = "Summer collection"
	g.Expect(k8s.Update(ctx, c)).To(Succeed())
	got := settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(got.Status.Engine.ConfigHash).NotTo(Equal(old.Status.Engine.ConfigHash))
	doc, hash := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Fallback.Content["headline"]).To(Equal("Summer collection"))
	d := &appsv1.Deployment{}
	get(g, ns, "spring-running-engine", d)
	g.Expect(d.Spec.Template.Annotations[resources.ConfigHashAnnotation]).To(Equal(hash))
	g.Expect(hash).To(Equal(got.Status.Engine.ConfigHash))
}

func TestEngineDriftIsUndone(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)
	name := "spring-running-engine"

	// Someone edits the Deployment: image, replicas and a label.
	d := &appsv1.Deployment{}
	get(g, ns, name, d)
	d.Spec.Template.Spec.Containers[0].Image = "evil.example/engine:latest"
	d.Spec.Replicas = ptr.To[int32](5)
	d.Labels["app.kubernetes.io/managed-by"] = "someone-else"
	g.Expect(k8s.Update(ctx, d)).To(Succeed())
	g.Eventually(func(g Gomega) {
		get(g, ns, name, d)
		g.Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal(testImage))
		g.Expect(d.Spec.Replicas).To(Equal(ptr.To[int32](1)))
		g.Expect(d.Labels).To(HaveKeyWithValue("app.kubernetes.io/managed-by", "ethos"))
	}, timeout, poll).Should(Succeed())

	// Someone deletes the Deployment and the Service.
	oldUID := d.UID
	g.Expect(k8s.Delete(ctx, d)).To(Succeed())
	g.Expect(k8s.Delete(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})).To(Succeed())
	g.Eventually(func(g Gomega) {
		get(g, ns, name, d)
		g.Expect(d.UID).NotTo(Equal(oldUID))
		get(g, ns, name, &corev1.Service{})
	}, timeout, poll).Should(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)
	assertNoWriteOnResync(t, ns, "spring-running")
}

func TestPolicyCreatedAfterCampaign(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())

	got := settle(t, ns, ethosv1alpha1.PhasePending)
	g.Expect(conditionSummary(got.Status.Conditions)).To(Equal(map[string]string{
		"Ready":                 "False/PolicyNotFound",
		"ConsentPolicyResolved": "False/PolicyNotFound",
		"Compliant":             "Unknown/PolicyUnavailable",
		"EngineAvailable":       "True/DeploymentAvailable",
		"Stalled":               "True/PolicyNotFound",
	}))
	g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	doc, _ := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModeFallbackOnly))
	g.Expect(doc.Reason).To(Equal(document.FallbackBlocked))

	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	got = settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
	doc, _ = engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModePersonalize))
	g.Expect(doc.Personalization.Policy.Name).To(Equal("eu-web"))
}

func TestPolicyChangeBlocksAndUnblocks(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)

	// The personalization purpose stops covering Behavioral data, which the campaign reads
	// (viewedCategories): ETH009.
	setClasses := func(classes ...ethosv1alpha1.DataClass) {
		p := &ethosv1alpha1.ConsentPolicy{}
		get(g, ns, "eu-web", p)
		p.Spec.Purposes[0].DataClasses = classes
		g.Expect(k8s.Update(ctx, p)).To(Succeed())
	}
	setClasses(ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassContextual, ethosv1alpha1.DataClassProxy)
	got := settle(t, ns, ethosv1alpha1.PhaseBlocked)
	g.Expect(conditionSummary(got.Status.Conditions)).To(Equal(map[string]string{
		"Ready":                 "False/Blocked",
		"ConsentPolicyResolved": "True/PolicyFound",
		"Compliant":             "False/NonCompliant",
		"EngineAvailable":       "True/DeploymentAvailable",
		"Stalled":               "True/NonCompliant",
	}))
	g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(got.Status.Findings).To(ContainElement(HaveField("Rule", "ETH009")))
	for _, f := range got.Status.Findings {
		if f.Rule == "ETH009" {
			g.Expect(f.Severity).To(Equal(ethosv1alpha1.SeverityDeny))
			g.Expect(f.String()).To(HavePrefix("[ETH009 ClassNotCoveredByPurpose] spec.")) // status keeps rule and field apart from the message
		}
	}
	doc, hash := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModeFallbackOnly))
	g.Expect(doc.Reason).To(Equal(document.FallbackBlocked))
	d := &appsv1.Deployment{}
	get(g, ns, "spring-running-engine", d)
	g.Expect(d.Spec.Template.Annotations[resources.ConfigHashAnnotation]).To(Equal(hash))
	assertNoWriteOnResync(t, ns, "spring-running")

	setClasses(ethosv1alpha1.DataClassBehavioral, ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassContextual, ethosv1alpha1.DataClassProxy)
	got = settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
	doc, _ = engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModePersonalize))
}

func TestSuspendAndSchedule(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	c.Spec.Suspend = true
	g.Expect(k8s.Create(ctx, c)).To(Succeed())
	got := settle(t, ns, ethosv1alpha1.PhaseSuspended)
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionReady).Reason).To(Equal(ethosv1alpha1.ReasonSuspended))
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
	doc, _ := engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModeFallbackOnly))
	g.Expect(doc.Reason).To(Equal(document.FallbackSuspended))

	// A window that opens in a few seconds and closes a few seconds later: the controller
	// requeues itself at start and end, with no event from the API server.
	now := time.Now()
	got.Spec.Suspend = false
	got.Spec.Schedule = &ethosv1alpha1.Schedule{
		Start: &metav1.Time{Time: now.Add(4 * time.Second)},
		End:   &metav1.Time{Time: now.Add(8 * time.Second)},
	}
	g.Expect(k8s.Update(ctx, got)).To(Succeed())
	phases := map[ethosv1alpha1.Phase]bool{}
	g.Eventually(func(g Gomega) {
		markDeploymentAvailable(g, ns, "spring-running-engine")
		c := &ethosv1alpha1.Campaign{}
		get(g, ns, "spring-running", c)
		if c.Status.ObservedGeneration == c.Generation {
			phases[c.Status.Phase] = true
		}
		g.Expect(c.Status.Phase).To(Equal(ethosv1alpha1.PhaseEnded))
	}, timeout, 50*time.Millisecond).Should(Succeed())
	g.Expect(phases).To(HaveKey(ethosv1alpha1.PhaseActive))
	got = settle(t, ns, ethosv1alpha1.PhaseEnded)
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
	doc, _ = engineDocument(g, ns, "spring-running")
	g.Expect(doc.Mode).To(Equal(document.ModePersonalize), "the engine enforces the window itself")
}

func TestScheduledInTheFuture(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	c.Spec.Schedule = &ethosv1alpha1.Schedule{Start: &metav1.Time{Time: time.Now().Add(24 * time.Hour)}}
	g.Expect(k8s.Create(ctx, c)).To(Succeed())
	got := settle(t, ns, ethosv1alpha1.PhaseScheduled)
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionReady).Reason).To(Equal(ethosv1alpha1.ReasonScheduled))
	g.Expect(kstatusOf(g, got)).To(Equal(status.CurrentStatus))
}

func TestOwnershipConflict(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "spring-running-engine"}, Data: map[string]string{"k": "v"}}
	g.Expect(k8s.Create(ctx, foreign)).To(Succeed())
	g.Expect(k8s.Create(ctx, sampleCampaign(t, ns))).To(Succeed())

	g.Eventually(func(g Gomega) {
		c := &ethosv1alpha1.Campaign{}
		get(g, ns, "spring-running", c)
		stalled := meta.FindStatusCondition(c.Status.Conditions, ethosv1alpha1.ConditionStalled)
		g.Expect(stalled).NotTo(BeNil())
		g.Expect(stalled.Reason).To(Equal(ethosv1alpha1.ReasonOwnershipConflict))
		g.Expect(stalled.Message).To(ContainSubstring("ConfigMap spring-running-engine exists and is not controlled by Campaign spring-running"))
		g.Expect(kstatusOf(g, c)).To(Equal(status.FailedStatus))
	}, timeout, poll).Should(Succeed())
	// The foreign ConfigMap is untouched, and no Deployment was created.
	cm := &corev1.ConfigMap{}
	get(g, ns, "spring-running-engine", cm)
	g.Expect(cm.OwnerReferences).To(BeEmpty())
	g.Expect(cm.Data).To(Equal(map[string]string{"k": "v"}))
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "spring-running-engine"}, &appsv1.Deployment{}))).To(BeTrue())
}

// fillWithHTML adds content values of 2,048 HTML characters up to the schema's 24 keys: each
// character takes 6 bytes in the JSON document (\u003c, \u003e, \u0026), so a handful of
// experiences outgrow the engine's ConfigMap while the Campaign stays within every schema bound.
func fillWithHTML(content map[string]string) map[string]string {
	if content == nil {
		content = map[string]string{}
	}
	for i := 0; len(content) < 24; i++ {
		content[fmt.Sprintf("block%02d", i)] = strings.Repeat("<>&", 682) + "<>"
	}
	return content
}

func TestDocumentTooLarge(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	c.Spec.Fallback.Content = fillWithHTML(c.Spec.Fallback.Content)
	for i := range c.Spec.Experiences {
		c.Spec.Experiences[i].Content = fillWithHTML(c.Spec.Experiences[i].Content)
	}
	html := ethosv1alpha1.Experience{Name: "html-hero", Content: fillWithHTML(nil), Rules: []ethosv1alpha1.Rule{
		{Attribute: "viewedCategories", Operator: ethosv1alpha1.OperatorContains, Values: []string{"road"}},
	}}
	c.Spec.Experiences = append([]ethosv1alpha1.Experience{html}, c.Spec.Experiences...)
	g.Expect(k8s.Create(ctx, c)).To(Succeed())

	// Stalled with the size and the limit, not a retry loop; nothing is applied.
	got := &ethosv1alpha1.Campaign{}
	g.Eventually(func(g Gomega) {
		get(g, ns, "spring-running", got)
		g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	}, timeout, poll).Should(Succeed())
	g.Expect(got.Status.Phase).To(Equal(ethosv1alpha1.PhasePending))
	g.Expect(conditionSummary(got.Status.Conditions)).To(Equal(map[string]string{
		"Ready":                 "False/DocumentTooLarge",
		"Stalled":               "True/DocumentTooLarge",
		"ConsentPolicyResolved": "True/PolicyFound",
		"Compliant":             "True/Compliant",
		"EngineAvailable":       "Unknown/DocumentTooLarge",
	}))
	stalled := meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionStalled)
	g.Expect(stalled.Message).To(MatchRegexp(`^the compiled decision document is 1[0-9]{6} bytes, over the ConfigMap limit of 1048576 bytes \(1 MiB\); ` +
		`shorten or remove experience content \(the characters <, > and & take 6 bytes each\) or remove experiences; the engine is not updated until the document fits$`))
	g.Expect(got.Status.Engine).To(BeNil())
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "spring-running-engine"}, &corev1.ConfigMap{}))).To(BeTrue())
	g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "spring-running-engine"}, &appsv1.Deployment{}))).To(BeTrue())

	// Cutting the content is enough: the spec change brings the Campaign back, and it rolls out.
	got.Spec.Experiences = got.Spec.Experiences[1:]
	g.Expect(k8s.Update(ctx, got)).To(Succeed())
	got = settle(t, ns, ethosv1alpha1.PhaseActive)
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, ethosv1alpha1.ConditionStalled)).To(BeNil())
}

func TestAutoscalingAndDisruptionBudget(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t)
	g.Expect(k8s.Create(ctx, samplePolicy(t, ns))).To(Succeed())
	c := sampleCampaign(t, ns)
	c.Spec.Engine.Autoscaling = &ethosv1alpha1.Autoscaling{MinReplicas: ptr.To[int32](2), MaxReplicas: 10}
	g.Expect(k8s.Create(ctx, c)).To(Succeed())
	name := "spring-running-engine"

	hpa := &autoscalingv2.HorizontalPodAutoscaler{}
	pdb := &policyv1.PodDisruptionBudget{}
	g.Eventually(func(g Gomega) {
		get(g, ns, name, hpa)
		get(g, ns, name, pdb)
	}, timeout, poll).Should(Succeed())
	g.Expect(hpa.Spec.ScaleTargetRef).To(Equal(autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: name, APIVersion: "apps/v1"}))
	g.Expect(*hpa.Spec.MinReplicas).To(Equal(int32(2)))
	g.Expect(hpa.Spec.MaxReplicas).To(Equal(int32(10)))
	g.Expect(*hpa.Spec.Metrics[0].Resource.Target.AverageUtilization).To(Equal(int32(80)))
	g.Expect(pdb.Spec.MaxUnavailable).To(Equal(ptr.To(intstr.FromInt32(1))))
	g.Expect(pdb.OwnerReferences[0].UID).To(Equal(c.UID))

	// The autoscaler owns replicas: an HPA-style change to spec.replicas is not undone.
	d := &appsv1.Deployment{}
	get(g, ns, name, d)
	d.Spec.Replicas = ptr.To[int32](4)
	g.Expect(k8s.Update(ctx, d)).To(Succeed())
	settle(t, ns, ethosv1alpha1.PhaseActive)
	get(g, ns, name, d)
	g.Expect(d.Spec.Replicas).To(Equal(ptr.To[int32](4)))

	// Back to one fixed replica: both go.
	get(g, ns, "spring-running", c)
	c.Spec.Engine.Autoscaling = nil
	c.Spec.Engine.Replicas = ptr.To[int32](1)
	g.Expect(k8s.Update(ctx, c)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, hpa))).To(BeTrue())
		g.Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pdb))).To(BeTrue())
		get(g, ns, name, d)
		g.Expect(d.Spec.Replicas).To(Equal(ptr.To[int32](1)))
	}, timeout, poll).Should(Succeed())
}
