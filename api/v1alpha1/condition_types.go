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

package v1alpha1

// Condition types. Ready, Reconciling and Stalled follow kstatus
// (sigs.k8s.io/cli-utils/pkg/kstatus), so Argo CD, Flux and `kubectl wait` read them.
const (
	// ConditionReady summarises the object: True in every settled state.
	ConditionReady = "Ready"
	// ConditionReconciling is True while the controller converges the object (kstatus).
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when progress needs a human (kstatus).
	ConditionStalled = "Stalled"
	// ConditionConsentPolicyResolved is True when the referenced ConsentPolicy exists.
	ConditionConsentPolicyResolved = "ConsentPolicyResolved"
	// ConditionCompliant is True when the Campaign passes every deny rule against its policy.
	ConditionCompliant = "Compliant"
	// ConditionEngineAvailable is True when the engine Deployment has its replicas ready.
	ConditionEngineAvailable = "EngineAvailable"
)

// Condition reasons, CamelCase. Events reuse them.
const (
	// ReasonSucceeded: the object is converged.
	ReasonSucceeded = "Succeeded"
	// ReasonProgressing: owned objects are being created or updated.
	ReasonProgressing = "Progressing"
	// ReasonPolicyFound: the referenced ConsentPolicy exists.
	ReasonPolicyFound = "PolicyFound"
	// ReasonPolicyNotFound: the referenced ConsentPolicy does not exist (yet).
	ReasonPolicyNotFound = "PolicyNotFound"
	// ReasonCompliant: no deny rule fired.
	ReasonCompliant = "Compliant"
	// ReasonNonCompliant: at least one deny rule fired; personalization is blocked.
	ReasonNonCompliant = "NonCompliant"
	// ReasonPolicyUnavailable: compliance cannot be checked without the policy.
	ReasonPolicyUnavailable = "PolicyUnavailable"
	// ReasonDeploymentAvailable: the engine's replicas are ready.
	ReasonDeploymentAvailable = "DeploymentAvailable"
	// ReasonDeploymentProgressing: the engine's replicas are not all ready yet.
	ReasonDeploymentProgressing = "DeploymentProgressing"
	// ReasonDocumentRejected: an engine pod cannot serve the current decision document as
	// written (a version it does not read, or one it cannot build) and answers the fallback
	// (failed closed), or has no document at all.
	ReasonDocumentRejected = "DocumentRejected"
	// ReasonEngineStale: an engine pod answers from another document than the current one
	// (the last good document during an upgrade, or an older one).
	ReasonEngineStale = "EngineStale"
	// ReasonEngineUnreachable: the manager could not ask an engine pod which document it
	// serves (its ops port did not answer); it retries with backoff.
	ReasonEngineUnreachable = "EngineUnreachable"
	// ReasonScaledToZero: the engine runs no replicas by request (replicas: 0).
	ReasonScaledToZero = "ScaledToZero"
	// ReasonActive: the campaign personalizes.
	ReasonActive = "Active"
	// ReasonScheduled: the campaign's schedule has not started.
	ReasonScheduled = "Scheduled"
	// ReasonEnded: the campaign's schedule is over; the engine answers the fallback.
	ReasonEnded = "Ended"
	// ReasonSuspended: spec.suspend is true; the engine answers the fallback.
	ReasonSuspended = "Suspended"
	// ReasonBlocked: the campaign does not comply; the engine answers the fallback.
	ReasonBlocked = "Blocked"
	// ReasonOwnershipConflict: an object with an engine's name exists and is not owned by the Campaign.
	ReasonOwnershipConflict = "OwnershipConflict"
	// ReasonDocumentTooLarge: the compiled decision document does not fit in the engine's
	// ConfigMap (1 MiB); the engine is not updated until the Campaign is made smaller.
	ReasonDocumentTooLarge = "DocumentTooLarge"
	// ReasonReconcileError: a reconcile failed and will be retried.
	ReasonReconcileError = "ReconcileError"
	// ReasonInUse: a ConsentPolicy's deletion waits for the Campaigns that use it.
	ReasonInUse = "InUse"
)

// ConsentPolicyFinalizer keeps a ConsentPolicy from being removed while Campaigns use it,
// as Kubernetes protects a PersistentVolumeClaim in use.
const ConsentPolicyFinalizer = "personalization.ethos.dev/policy-in-use"
